#include "engine/database.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "engine/duckdb_error.hpp"

#include <duckdb.h>
#include <utility>

namespace deltaduck {

namespace {

//! Owns a duckdb_config while the database is being opened.
class ConfigHandle {
public:
	ConfigHandle() {
		if (duckdb_create_config(&config_) != DuckDBSuccess) {
			throw InternalError("cannot create a DuckDB configuration");
		}
	}
	~ConfigHandle() {
		duckdb_destroy_config(&config_);
	}
	ConfigHandle(const ConfigHandle &) = delete;
	ConfigHandle &operator=(const ConfigHandle &) = delete;

	void Set(const char *name, const std::string &value) {
		if (duckdb_set_config(config_, name, value.c_str()) != DuckDBSuccess) {
			throw InvalidInputError(std::string("invalid database setting: ") + name + " = " + value);
		}
	}
	duckdb_config Get() const {
		return config_;
	}

private:
	duckdb_config config_ = nullptr;
};

//! Runs one statement on a short-lived connection during open; failures carry DuckDB's message.
std::optional<std::string> TryRun(duckdb_connection connection, const std::string &sql) {
	duckdb_result result;
	std::optional<std::string> error;
	if (duckdb_query(connection, sql.c_str(), &result) != DuckDBSuccess) {
		const char *message = duckdb_result_error(&result);
		error = message ? message : "failed";
	}
	duckdb_destroy_result(&result);
	return error;
}

} // namespace

std::shared_ptr<Database> Database::Open(const DatabaseConfig &config) {
	ConfigHandle handle;
	handle.Set("threads", std::to_string(config.threads));
	if (config.memory_limit_bytes) {
		handle.Set("memory_limit", std::to_string(config.memory_limit_bytes) + "B");
	}
	// An empty temp directory disables spilling (DuckDB's own default would be `.tmp` in the working directory).
	handle.Set("temp_directory", config.temp_directory);
	if (!config.temp_directory.empty()) {
		if (config.max_temp_directory_bytes) {
			handle.Set("max_temp_directory_size", std::to_string(config.max_temp_directory_bytes) + "B");
		}
	}
	if (!config.extension_directory.empty()) {
		handle.Set("extension_directory", config.extension_directory);
	}
	handle.Set("preserve_insertion_order", config.preserve_insertion_order ? "true" : "false");
	// Extensions come only from our pinned, checksummed directory: never fetched at run time.
	handle.Set("autoinstall_known_extensions", "false");
	handle.Set("allow_community_extensions", "false");

	duckdb_database db = nullptr;
	char *open_error = nullptr;
	if (duckdb_open_ext(config.path.c_str(), &db, handle.Get(), &open_error) != DuckDBSuccess) {
		std::string message = open_error ? open_error : "unknown error";
		duckdb_free(open_error);
		throw IOError("cannot open database " + config.path + ": " + message);
	}
	std::shared_ptr<Database> database(new Database(db, config));

	duckdb_connection connection = nullptr;
	if (duckdb_connect(db, &connection) != DuckDBSuccess) {
		throw InternalError("cannot connect to the database just opened");
	}
	// Parquet footers are parsed once per file, not once per query (the dashboard re-reads the same tables).
	std::optional<std::string> failure = TryRun(connection, "SET GLOBAL parquet_metadata_cache = true");
	for (const auto &name : config.extensions) {
		database->extension_errors_[name] = TryRun(connection, "LOAD " + QuoteLiteral(name)).value_or("");
	}
	for (const auto &statement : config.startup_sql) {
		if (auto startup_failure = TryRun(connection, statement)) {
			duckdb_disconnect(&connection);
			throw IOError("cannot open database " + config.path + ": " + *startup_failure);
		}
	}
	if (!config.allowed_directories.empty() || !config.allowed_paths.empty()) {
		// Order matters: the allow lists are set first, then external access is switched off. DuckDB refuses
		// to turn it back on, or to change the lists, while the database runs. Extensions were loaded above:
		// their directory stays out of reach.
		const auto &allowed = config.allowed_directories;
		auto list = [](const std::vector<std::string> &paths, const char *suffix) {
			std::string text;
			for (const auto &path : paths) {
				text += (text.empty() ? "" : ", ") + QuoteLiteral(path + suffix);
			}
			return "[" + text + "]";
		};
		failure = TryRun(connection, "SET allowed_directories = " + list(allowed, "/"));
		if (!failure && !config.allowed_paths.empty()) {
			failure = TryRun(connection, "SET allowed_paths = " + list(config.allowed_paths, ""));
		}
		if (!failure) {
			failure = TryRun(connection, "SET enable_external_access = false");
		}
	}
	duckdb_disconnect(&connection);
	if (failure) {
		throw InvalidInputError("cannot configure database: " + *failure);
	}
	return database;
}

void Database::LockConfiguration() {
	duckdb_connection connection = nullptr;
	if (duckdb_connect(db_, &connection) != DuckDBSuccess) {
		throw InternalError("cannot connect to the database to lock its configuration");
	}
	auto failure = TryRun(connection, "SET lock_configuration = true");
	duckdb_disconnect(&connection);
	if (failure) {
		throw InternalError("cannot lock the database configuration: " + *failure);
	}
}

Database::~Database() {
	duckdb_close(&db_);
}

std::optional<std::string> Database::ExtensionError(const std::string &name) const {
	auto it = extension_errors_.find(name);
	if (it == extension_errors_.end()) {
		return "it was not requested when the database was opened";
	}
	if (it->second.empty()) {
		return std::nullopt;
	}
	return it->second;
}

void Database::RequireExtension(const std::string &name) const {
	if (auto error = ExtensionError(name)) {
		throw UnsupportedError("DuckDB extension " + name + " is not available: " + *error);
	}
}

} // namespace deltaduck
