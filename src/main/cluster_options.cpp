#include "main/cluster_options.hpp"

#include "catalog/embedded_catalog.hpp"
#include "catalog/pg_connection.hpp"
#include "catalog/postgres_catalog.hpp"
#include "common/error.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace deltaduck {

void AddClusterOptions(CLI::App &command, ClusterOptions &options) {
	command.add_option("--amqp", options.amqp_url, "RabbitMQ URL (amqp://user:password@host:port/vhost)")
	    ->envname("DELTADUCK_AMQP_URL");
	command
	    .add_option("--postgres", options.postgres,
	                "PostgreSQL connection string (host=... port=... dbname=... user=...; no password)")
	    ->envname("DELTADUCK_POSTGRES");
	command.add_option("--postgres-password-file", options.postgres_password_file, "File holding its password")
	    ->envname("DELTADUCK_POSTGRES_PASSWORD_FILE");
	command.add_option("--postgres-schema", options.postgres_schema, "Schema SQL sees as `postgres`")
	    ->capture_default_str()
	    ->envname("DELTADUCK_POSTGRES_SCHEMA");
}

Cluster OpenCluster(const ClusterOptions &options, const std::filesystem::path &data_root) {
	Cluster cluster;
	if (options.postgres.empty()) {
		cluster.catalog = catalog::EmbeddedCatalog::Open(data_root / worker::STATE_DIR / "catalog.duckdb");
		return cluster;
	}
	catalog::PgAddress address{options.postgres, ""};
	if (address.Redacted().find("password") != std::string::npos ||
	    options.postgres.find("password") != std::string::npos) {
		throw InvalidInputError("put PostgreSQL's password in a file (--postgres-password-file), not in the "
		                        "connection string: DuckDB shows attached connection strings to SQL");
	}
	if (!options.postgres_password_file.empty()) {
		address.password = catalog::ReadSecretFile(options.postgres_password_file);
		setenv("PGPASSWORD", address.password.c_str(), 1);
	}
	auto postgres = catalog::PostgresCatalog::Open(address);
	cluster.catalog = postgres;
	cluster.registry = postgres;
	cluster.postgres_attach = worker::PostgresAttach{options.postgres, options.postgres_schema};
	return cluster;
}

void CheckWorkerId(const std::string &id) {
	bool ok = !id.empty() && id.size() <= 100;
	for (char c : id) {
		ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._-:", c));
	}
	if (!ok) {
		throw InvalidInputError("a worker id has 1-100 letters, digits, '.', '_', '-' or ':', got " + id);
	}
}

std::pair<std::string, uint16_t> SplitListen(const std::string &listen) {
	auto colon = listen.rfind(':');
	if (colon == std::string::npos) {
		throw InvalidInputError("--listen must be HOST:PORT, got " + listen);
	}
	auto host = listen.substr(0, colon);
	if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
		host = host.substr(1, host.size() - 2);
	}
	int port = -1;
	try {
		port = std::stoi(listen.substr(colon + 1));
	} catch (const std::exception &) {
	}
	if (port < 0 || port > 65535) {
		throw InvalidInputError("--listen port must be 0-65535, got " + listen.substr(colon + 1));
	}
	return {host == "localhost" ? "127.0.0.1" : host, static_cast<uint16_t>(port)};
}

void LoadConfigFile(int argc, char **argv) {
	std::string file;
	for (int i = 1; i + 1 < argc; i++) {
		if (std::strcmp(argv[i], "--config") == 0) {
			file = argv[i + 1];
		}
	}
	for (int i = 1; i < argc; i++) {
		if (std::strncmp(argv[i], "--config=", 9) == 0) {
			file = argv[i] + 9;
		}
	}
	if (file.empty()) {
		const char *env = std::getenv("DELTADUCK_CONFIG");
		file = env ? env : "";
	}
	if (file.empty()) {
		return;
	}
	std::ifstream in(file);
	if (!in) {
		throw IOError("cannot read the config file " + file);
	}
	std::string line;
	for (int number = 1; std::getline(in, line); number++) {
		auto first = line.find_first_not_of(" \t");
		if (first == std::string::npos || line[first] == '#') {
			continue;
		}
		auto equals = line.find('=');
		if (equals == std::string::npos) {
			throw InvalidInputError("config file " + file + " line " + std::to_string(number) +
			                        ": expected KEY=VALUE, got " + line);
		}
		auto key = line.substr(first, equals - first);
		while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) {
			key.pop_back();
		}
		if (key.rfind("export ", 0) == 0) {
			key = key.substr(7);
		}
		auto value = line.substr(equals + 1);
		auto hash = value.find(" #");
		if (hash != std::string::npos) {
			value.resize(hash);
		}
		while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) {
			value.pop_back();
		}
		auto start = value.find_first_not_of(" \t");
		value = start == std::string::npos ? "" : value.substr(start);
		if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
			value = value.substr(1, value.size() - 2);
		}
		setenv(key.c_str(), value.c_str(), 0);
	}
}

} // namespace deltaduck
