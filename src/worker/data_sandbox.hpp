#pragma once

#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "sql/delta_tables.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck::worker {

//! Folder inside the data directory for DeltaDuck's own state (catalog, held results); SQL cannot reach it.
constexpr const char *STATE_DIR = ".deltaduck";

//! Roots this process at a data directory and returns its canonical path: creates it if missing, makes it
//! the working directory and refuses links under raw/ or deltalake/ that lead outside it. DuckDB resolves
//! relative paths against the working directory and checks its allow list against paths as written, so
//! a process serves one data directory at a time (rooting it elsewhere moves relative paths there).
std::filesystem::path RootAtDataDirectory(const std::string &data_dir);

//! Throws PermissionError if a symlink under raw/ or deltalake/ leads outside `root` (canonical).
void RefuseSymlinksLeading(const std::filesystem::path &root);

//! PostgreSQL attached to a worker's database as the catalog `postgres`, for tables every worker shares.
struct PostgresAttach {
	//! libpq connection string, without a password: DuckDB shows attached databases' connection strings to SQL
	//! (duckdb_databases()), so the password reaches libpq through PGPASSWORD instead.
	std::string dsn;
	//! The one schema dashboard SQL sees (`postgres.t` is `<schema>.t`).
	std::string schema = "deltaduck";
};

//! The name user SQL gives the attached PostgreSQL database.
constexpr const char *POSTGRES_CATALOG = "postgres";

//! How a sandboxed database is opened.
struct SandboxOptions {
	//! ":memory:" or a database file inside the data directory.
	std::string database_path = ":memory:";
	//! Writers turn off insertion order, so large ingests stream in little memory.
	bool for_writing = false;
	//! Whether operators may spill to a temp directory. DuckDB lets SQL read and write its temp directory
	//! even in a sandbox (another query's spilled blocks), so the dashboard's databases do not spill.
	bool spill = false;
	//! Loads DuckDB's autocomplete extension (`sql_auto_complete`, for the dashboard's editor; it reads only
	//! this database's catalog).
	bool autocomplete = false;
	//! Attaches PostgreSQL as `postgres` before the sandbox closes (SQL itself can attach nothing).
	std::optional<PostgresAttach> postgres;
	//! 0 keeps the machine-sized defaults.
	uint32_t threads = 0;
	uint64_t memory_limit_bytes = 0;
};

//! Opens a database whose SQL may touch files only inside `root` (the rooted data directory, see
//! RootAtDataDirectory), never DeltaDuck's state folder, loads no extension and sends nothing over the
//! network. Callers open their connections and then call Database::LockConfiguration.
std::shared_ptr<Database> OpenSandboxedDatabase(const std::filesystem::path &root, const SandboxOptions &options = {});

//! Checks user SQL before it is prepared: PermissionError for the functions `query`, `*_logging` and
//! `postgres_*`; a statement naming `postgres` refreshes DuckDB's view of PostgreSQL's tables first.
void CheckUserSql(Connection &connection, const std::string &text);

//! Whether a statement failed because PostgreSQL dropped a connection DuckDB's postgres extension pooled (a
//! restarted server, a killed backend). The extension notices when it opens or ends its transaction, before
//! the statement did anything, and connects anew next time: the statement can simply run again. Its pool may
//! hold one dead connection per DuckDB connection that used it.
bool IsLostPostgresConnection(const std::exception &error);

//! One statement of user SQL, prepared the one way the command line and the workers share: `=(^)`
//! references expanded to Delta scans (the versions read recorded); refused with a PermissionError are
//! INSTALL and LOAD of extensions, ATTACH and DETACH, the functions `query`, `*_logging` and `postgres_*`, and
//! writes into deltalake/. A statement naming `postgres` first refreshes what DuckDB knows of PostgreSQL's
//! tables (other workers may have made or changed some).
struct UserStatement {
	UserStatement(Connection &connection, const std::filesystem::path &data_dir, const std::string &text);
	StatementType Type() const {
		return prepared.Type();
	}
	QueryResult Execute() {
		return prepared.Execute();
	}

	std::string expanded;
	std::vector<sql::DeltaRead> reads;
	PreparedStatement prepared;

private:
	static PreparedStatement PrepareLast(Connection &connection, const std::filesystem::path &data_dir,
	                                     const std::string &text, std::string &expanded,
	                                     std::vector<sql::DeltaRead> &reads);
};

} // namespace deltaduck::worker
