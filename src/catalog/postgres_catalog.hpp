#pragma once

#include "catalog/catalog.hpp"
#include "catalog/pg_connection.hpp"
#include "catalog/worker_registry.hpp"

#include <memory>
#include <mutex>

namespace deltaduck::catalog {

//! The schema holding the catalog's tables. It is made by the database's administrator and owned by the
//! workers' role (deploy/postgres-init.sql); dashboard SQL never sees it (the shared tables live in another).
constexpr const char *CATALOG_SCHEMA = "deltaduck_catalog";

//! The catalog of a cluster in PostgreSQL: lineage records and the worker registry, shared by the gateway and
//! every worker. Thread-safe (one connection, one statement at a time).
class PostgresCatalog final : public Catalog, public WorkerRegistry {
public:
	//! Connects and creates the tables if missing; IOError naming the server (without password) if it cannot.
	static std::shared_ptr<PostgresCatalog> Open(const PgAddress &address);

	void Record(const LineageRecord &record) override;
	void Drop(const std::string &table, const std::string &location) override;
	void MarkGone(const std::string &table, const std::string &location) override;
	std::vector<LineageRecord> List() override;

	void Register(const WorkerInfo &worker) override;
	void Heartbeat(const std::string &id, size_t in_flight) override;
	void Unregister(const std::string &id) override;
	nlohmann::json List(std::chrono::seconds max_silence) override;

private:
	explicit PostgresCatalog(PgConnection connection) : connection_(std::move(connection)) {
	}
	PgRows Execute(const std::string &sql, const std::vector<std::optional<std::string>> &params = {});
	std::mutex mutex_;
	PgConnection connection_;
};

} // namespace deltaduck::catalog
