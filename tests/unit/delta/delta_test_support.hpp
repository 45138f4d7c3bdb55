#pragma once

#include "delta/log_segment.hpp"
#include "engine/connection.hpp"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace deltaduck {

//! A fresh empty folder under the system temp folder, removed with its contents when destroyed.
class TempDir {
public:
	TempDir();
	~TempDir();
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;

	const std::filesystem::path &Path() const {
		return path_;
	}

private:
	std::filesystem::path path_;
};

//! The table version `version`, and the version current at `ms` (milliseconds since the epoch).
delta::VersionSpec AtVersion(int64_t version);
delta::VersionSpec AtTimestamp(int64_t ms);

//! Unpacks the golden table `name` of ../shared/delta-golden as `<data>/deltalake/<table>` and returns its folder;
//! empty when the golden tables are absent (the caller skips).
std::filesystem::path UnpackGoldenTable(const std::filesystem::path &data, const std::string &name,
                                        const std::string &table);

//! Writes `text` to `file` (creating its folders), replacing what was there.
void WriteTextFile(const std::filesystem::path &file, const std::string &text);

//! Writes `<table_root>/_delta_log/<version>.json` with one action per line.
void WriteCommit(const std::filesystem::path &table_root, int64_t version, const std::vector<nlohmann::json> &actions);

//! The versions of the commit files in the table's log, ascending (none when it has no log).
std::vector<int64_t> CommitVersions(const std::filesystem::path &table_root);

//! The actions of one commit, in order (read with the reader's own delta::ReadJsonActions).
std::vector<nlohmann::json> ReadCommit(const std::filesystem::path &table_root, int64_t version);

//! Sets a file's modification time, in milliseconds since the epoch.
void SetModificationTimeMs(const std::filesystem::path &file, int64_t ms);

//! A `schemaString` value for top-level columns given as (name, Delta type).
std::string SchemaString(const std::vector<std::pair<std::string, std::string>> &columns);

//! {"protocol": {...}}.
nlohmann::json ProtocolAction(int32_t reader_version = 1, int32_t writer_version = 2);

//! {"metaData": {...}} of a parquet table with the given columns and partition columns.
nlohmann::json MetadataAction(const std::vector<std::pair<std::string, std::string>> &columns,
                              const std::vector<std::string> &partition_columns = {});

//! {"add": {...}} of a data file (partition values and stats are optional).
nlohmann::json AddAction(const std::string &path, const nlohmann::json &partition_values = nlohmann::json::object(),
                         const std::string &stats = "");

//! {"remove": {...}} of a data file.
nlohmann::json RemoveAction(const std::string &path);

//! Encodes bytes (a multiple of 4 long) as Z85, independently of the code under test.
std::string EncodeZ85(const std::string &bytes);

//! Delta's RoaringBitmapArray serialization of row indexes below 65536 (one bitmap, one array container).
std::string SmallRoaringBitmapArray(const std::vector<uint16_t> &sorted_rows);

//! An inline ('i') deletion vector descriptor marking `sorted_rows` deleted.
nlohmann::json InlineDeletionVector(const std::vector<uint16_t> &sorted_rows);

//! Writes the rows of `select_sql` to a parquet file with DuckDB; returns its size in bytes.
int64_t WriteParquet(Connection &connection, const std::filesystem::path &file, const std::string &select_sql);

} // namespace deltaduck
