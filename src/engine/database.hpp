#pragma once

#include "engine/database_config.hpp"
#include "engine/duckdb_handles.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace deltaduck {

//! Owns an open DuckDB database. Shared by the connections made from it.
class Database {
public:
	//! Opens (or creates) the database, loads `config.extensions` and, if `config.allowed_directories` is
	//! set, locks file access to them. Throws on a bad configuration; an extension that fails to load
	//! is recorded, not thrown (see RequireExtension).
	static std::shared_ptr<Database> Open(const DatabaseConfig &config);
	~Database();
	Database(const Database &) = delete;
	Database &operator=(const Database &) = delete;

	//! The borrowed C handle (engine internal).
	duckdb_database Get() const {
		return db_;
	}
	//! The configuration it was opened with.
	const DatabaseConfig &Config() const {
		return config_;
	}
	//! Why `name` is not loaded, or nothing if it loaded at open.
	std::optional<std::string> ExtensionError(const std::string &name) const;
	//! Throws UnsupportedError naming the extension and its load error unless it loaded.
	void RequireExtension(const std::string &name) const;
	//! Freezes every setting: afterwards no SQL can change threads, memory, paths or anything else. Per-
	//! connection settings are frozen too, so connections opened after this fail their set-up: open them
	//! first.
	void LockConfiguration();

private:
	friend class Connection; // registers functions once per database
	Database(duckdb_database db, DatabaseConfig config) : db_(db), config_(std::move(config)) {
	}
	duckdb_database db_;
	DatabaseConfig config_;
	//! Requested extension name -> load error (empty when it loaded).
	std::map<std::string, std::string> extension_errors_;
	//! Functions registered in the database's catalog (under Connection's registration lock).
	std::set<std::string> functions_;
};

} // namespace deltaduck
