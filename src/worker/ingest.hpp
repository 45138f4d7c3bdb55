#pragma once

#include "delta/writer.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace deltaduck {
class Connection;
struct QueryProgress;
} // namespace deltaduck

namespace deltaduck::worker {

//! A request to load data into a Delta table under `<data>/deltalake/`.
struct IngestRequest {
	//! A folder name under `<data>/raw/` (all its CSV files as one table), a file inside the data
	//! directory (.csv, .parquet, .json), or a query (SELECT / WITH; `=(^)` tables allowed).
	std::string source;
	std::string table;
	delta::WriteOptions options;
	//! CSV overrides; DuckDB's sniffer decides when unset.
	std::optional<bool> header;
	std::optional<std::string> delimiter;
	//! Store naive timestamps (no time zone) as UTC `timestamp`, readable at protocol (1, 2) by readers older
	//! than table features (the original's delta-rs), instead of `timestamp_ntz`, the exact type, which
	//! needs protocol (3, 7).
	bool naive_timestamps_utc = false;
};

//! What an ingest did, for the one-line summary.
struct IngestResult {
	delta::WriteResult write;
	double seconds = 0;
	//! Bytes of input files (0 for a query source).
	uint64_t input_bytes = 0;
	//! Top-level columns of naive timestamps stored as UTC `timestamp` (with naive_timestamps_utc).
	size_t utc_columns = 0;
	//! The protocol the table needs after the write (-1 when nothing was written).
	int32_t min_reader_version = -1;
	int32_t min_writer_version = -1;
};

//! Turns a source into the SELECT that reads it, after checking it: names are letters, digits, `_`, `-`;
//! paths stay inside the data directory (no absolute paths, `..` or symlinks leading out); user text only
//! ever enters SQL as quoted literals. `input_bytes` receives the size of input files.
std::string ResolveSource(Connection &connection, const std::filesystem::path &data_dir, const IngestRequest &request,
                          uint64_t &input_bytes);

//! Loads the source into the table (see delta::WriteTable). `on_progress` is called from another thread
//! while rows stream, with DuckDB's progress and the input size.
IngestResult Ingest(Connection &connection, const std::filesystem::path &data_dir, const IngestRequest &request,
                    const std::function<void(const QueryProgress &, uint64_t input_bytes)> &on_progress = nullptr);

} // namespace deltaduck::worker
