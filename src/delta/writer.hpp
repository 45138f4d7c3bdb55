#pragma once

#include "delta/actions.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

//! What to do when the table exists (all four create it when it does not, except that `create` also fails
//! when a concurrent writer created it first).
enum class WriteMode { CREATE, APPEND, OVERWRITE, IGNORE };

//! Parses create, append, overwrite, ignore (and `error`, delta-rs's name for create).
WriteMode ParseWriteMode(const std::string &text);
const char *WriteModeName(WriteMode mode);

//! How a write is done.
struct WriteOptions {
	WriteMode mode = WriteMode::APPEND;
	//! Partition columns of a new table (an existing table's must match when given).
	std::vector<std::string> partition_by;
	//! Let an append or overwrite add new nullable columns to the schema.
	bool merge_schema = false;
	//! Idempotency: a write carrying (app id, version) is skipped when the table already holds that app's
	//! transaction at this version or later.
	std::optional<SetTransaction> transaction;
	//! DuckDB rolls to a new parquet file past this size.
	uint64_t target_file_size = uint64_t(128) << 20;
	//! Parquet compression: zstd or snappy.
	std::string compression = "zstd";
	//! Recorded as the commit's operation.
	std::string operation = "WRITE";
	//! Table properties of a new table, e.g. delta.checkpointInterval.
	std::map<std::string, std::string> configuration;
};

//! What a write did.
struct WriteResult {
	//! The committed version; -1 when nothing was written (ignore on an existing table, a repeated txn).
	int64_t version = -1;
	bool skipped = false;
	//! Why the write was skipped.
	std::string skip_reason;
	size_t files = 0;
	uint64_t rows = 0;
	uint64_t bytes = 0;
	//! Lost commit races retried.
	int retries = 0;
};

//! Writes the rows of `source_sql` (any SELECT DuckDB can run) to the Delta table at `table_root`.
//! DuckDB streams them into parquet files under unique names (rolled at the target size); per-file stats
//! come from the parquet footers; the commit is created atomically and never overwrites a version. A lost
//! race is retried for appends (blind appends commute) and is a ConflictError for overwrites. Files of a
//! failed attempt are only unreferenced garbage.
WriteResult WriteTable(Connection &connection, const std::filesystem::path &table_root, const std::string &source_sql,
                       const WriteOptions &options);

} // namespace deltaduck::delta
