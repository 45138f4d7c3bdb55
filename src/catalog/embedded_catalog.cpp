#include "catalog/embedded_catalog.hpp"

#include "catalog/lineage_json.hpp"

#include "common/error.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <unistd.h>

namespace deltaduck::catalog {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// DuckDB matches names case-insensitively, so a table is keyed by its lower-cased name.
constexpr const char *SCHEMA_SQL =
    "CREATE TABLE IF NOT EXISTS derived_tables (table_key VARCHAR NOT NULL, table_name VARCHAR NOT NULL, "
    "location VARCHAR NOT NULL, kind VARCHAR NOT NULL, query VARCHAR NOT NULL, parents JSON NOT NULL, "
    "columns JSON NOT NULL, changed_at TIMESTAMPTZ NOT NULL, gone BOOLEAN NOT NULL DEFAULT false, "
    "PRIMARY KEY (table_key, location))";

//! One DuckDB instance on a file at a time in this process: DuckDB's file lock keeps other processes
//! out, but two instances in one process would both write the file and corrupt it.
std::mutex &FileMutex(const fs::path &file) {
	static std::mutex guard;
	static std::map<std::string, std::unique_ptr<std::mutex>> mutexes;
	std::lock_guard<std::mutex> lock(guard);
	auto &mutex = mutexes[fs::weakly_canonical(file).string()];
	if (!mutex) {
		mutex = std::make_unique<std::mutex>();
	}
	return *mutex;
}

//! Opens the catalog file, waiting while another process holds it: DuckDB's open fails at once when the
//! file is locked, so this retries with a growing pause until `wait` has passed.
Connection OpenFile(const fs::path &file, std::chrono::milliseconds wait) {
	auto config = DatabaseConfig::Defaults();
	config.path = file.string();
	config.threads = 1;
	config.memory_limit_bytes = uint64_t(128) << 20;
	config.temp_directory.clear();
	auto deadline = std::chrono::steady_clock::now() + wait;
	auto pause = std::chrono::milliseconds(2);
	while (true) {
		try {
			return Connection::Open(Database::Open(config));
		} catch (const IOError &e) {
			std::string message = e.what();
			if (message.find("lock") == std::string::npos) {
				throw;
			}
			if (std::chrono::steady_clock::now() + pause > deadline) {
				throw ConflictError("catalog is busy: another process holds " + file.string() + " (" + message + ")");
			}
			std::this_thread::sleep_for(pause);
			pause = std::min(pause * 2, std::chrono::milliseconds(100));
		}
	}
}

//! Creates the catalog file whole: made under a name of its own, then linked into place, which fails if
//! another process got there first. A process opening the file while DuckDB was still writing its header would
//! see "not a valid DuckDB database file".
void CreateFile(const fs::path &file, std::chrono::milliseconds wait) {
	auto temporary = file.parent_path() / (file.filename().string() + ".new-" + std::to_string(::getpid()) + "-" +
	                                       std::to_string(std::random_device{}()));
	OpenFile(temporary, wait).Execute(SCHEMA_SQL); // closing checkpoints: the file is complete
	if (::link(temporary.c_str(), file.c_str()) != 0 && errno != EEXIST) {
		int link_error = errno;
		fs::remove(temporary);
		throw IOError("cannot create catalog " + file.string() + ": " + std::strerror(link_error));
	}
	std::error_code ignored;
	fs::remove(temporary, ignored);
	fs::remove(temporary.string() + ".wal", ignored);
}

} // namespace

std::unique_ptr<EmbeddedCatalog> EmbeddedCatalog::Open(const fs::path &file, std::chrono::milliseconds wait) {
	std::error_code error;
	fs::create_directories(file.parent_path(), error);
	if (error) {
		throw IOError("cannot create catalog folder " + file.parent_path().string() + ": " + error.message());
	}
	std::lock_guard<std::mutex> lock(FileMutex(file));
	if (!fs::exists(file, error)) {
		CreateFile(file, wait);
	}
	OpenFile(file, wait).Execute(SCHEMA_SQL);
	return std::unique_ptr<EmbeddedCatalog>(new EmbeddedCatalog(file, wait));
}

void EmbeddedCatalog::Record(const LineageRecord &record) {
	std::lock_guard<std::mutex> lock(FileMutex(file_));
	auto connection = OpenFile(file_, wait_);
	auto statement = connection.Prepare(
	    "INSERT OR REPLACE INTO derived_tables VALUES (lower($1), $1, $2, $3, $4, $5, $6, now(), false)");
	statement.Bind(1, record.table);
	statement.Bind(2, record.location);
	statement.Bind(3, record.kind);
	statement.Bind(4, record.query);
	statement.Bind(5, ParentsToJson(record.parents).dump());
	statement.Bind(6, ColumnsToJson(record.columns).dump());
	statement.Execute();
}

void EmbeddedCatalog::Drop(const std::string &table, const std::string &location) {
	std::lock_guard<std::mutex> lock(FileMutex(file_));
	auto connection = OpenFile(file_, wait_);
	auto statement = connection.Prepare("DELETE FROM derived_tables WHERE table_key = lower($1) AND location = $2");
	statement.Bind(1, table);
	statement.Bind(2, location);
	statement.Execute();
}

void EmbeddedCatalog::MarkGone(const std::string &table, const std::string &location) {
	std::lock_guard<std::mutex> lock(FileMutex(file_));
	auto connection = OpenFile(file_, wait_);
	auto statement =
	    connection.Prepare("UPDATE derived_tables SET gone = true WHERE table_key = lower($1) AND location = $2");
	statement.Bind(1, table);
	statement.Bind(2, location);
	statement.Execute();
}

std::vector<LineageRecord> EmbeddedCatalog::List() {
	std::lock_guard<std::mutex> lock(FileMutex(file_));
	auto connection = OpenFile(file_, wait_);
	auto rows = connection.QueryText("SELECT table_name, location, kind, query, parents, columns, "
	                                 "strftime(changed_at, '%Y-%m-%dT%H:%M:%S.%gZ'), gone FROM derived_tables "
	                                 "ORDER BY table_key, location");
	std::vector<LineageRecord> records;
	for (const auto &row : rows) {
		LineageRecord record;
		record.table = row[0];
		record.location = row[1];
		record.kind = row[2];
		record.query = row[3];
		record.parents = ParentsFromJson(json::parse(row[4]));
		record.columns = ColumnsFromJson(json::parse(row[5]));
		record.changed_at = row[6];
		record.gone = row[7] == "true";
		records.push_back(std::move(record));
	}
	return records;
}

} // namespace deltaduck::catalog
