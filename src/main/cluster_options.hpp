#pragma once

#include "catalog/catalog.hpp"
#include "catalog/worker_registry.hpp"
#include "worker/data_sandbox.hpp"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace deltaduck {

//! Where the servers of a cluster are (flags, else DELTADUCK_* variables, else the config file).
struct ClusterOptions {
	//! RabbitMQ, for --workers amqp / --transport amqp.
	std::string amqp_url;
	//! PostgreSQL (libpq connection string, no password): catalog, worker registry and shared tables.
	std::string postgres;
	//! A file holding PostgreSQL's password (a secret mounted into the container).
	std::string postgres_password_file;
	//! The PostgreSQL schema dashboard SQL sees as `postgres`.
	std::string postgres_schema = "deltaduck";
};

//! Adds --amqp, --postgres, --postgres-password-file and --postgres-schema.
void AddClusterOptions(CLI::App &command, ClusterOptions &options);

//! What a process of a cluster shares with the others.
struct Cluster {
	//! Lineage: PostgreSQL when configured, else the embedded file in the data directory.
	std::shared_ptr<catalog::Catalog> catalog;
	//! The worker registry (PostgreSQL only).
	std::shared_ptr<catalog::WorkerRegistry> registry;
	//! PostgreSQL for DuckDB's `postgres` catalog (shared tables).
	std::optional<worker::PostgresAttach> postgres_attach;
};

//! Connects to what `options` names. The password goes to libpq through PGPASSWORD, never into a
//! connection string that a message or DuckDB could show.
Cluster OpenCluster(const ClusterOptions &options, const std::filesystem::path &data_root);

//! InvalidInputError unless `id` can name a worker (and its queue): 1-100 letters, digits, `.`, `_`, `-`, `:`.
void CheckWorkerId(const std::string &id);

//! HOST:PORT (host may be [v6]; localhost means 127.0.0.1).
std::pair<std::string, uint16_t> SplitListen(const std::string &listen);

//! Reads `--config FILE` (or $DELTADUCK_CONFIG): KEY=VALUE lines (# comments; the format of the original's
//! .env) become environment variables unless already set, so flags override variables override the file.
void LoadConfigFile(int argc, char **argv);

} // namespace deltaduck
