#pragma once

#include "common/json_writer.hpp"
#include "engine/query_result.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace deltaduck {
class Database;
}

namespace deltaduck::worker {

//! Where held results live and how much of them is kept.
struct HeldResultsOptions {
	//! `<data>/.deltaduck/results`: inside the data directory, so any worker of a cluster can serve them.
	std::filesystem::path dir;
	//! Total bytes of finished results kept; past it the least recently used go first.
	uint64_t max_bytes = uint64_t(20) << 30;
	//! A result not used for this long is deleted.
	std::chrono::seconds max_age = std::chrono::hours(24);
};

//! Query results kept on the server after the reply, so a client can page through all of them (`fetchrows`)
//! or download them whole. Each is a Parquet file `<id>.parquet` beside `<id>.json` (its columns, rows,
//! bytes); a window of rows is read by `file_row_number`, which DuckDB turns into row-group skipping, so the
//! last rows of a large result come as fast as the first. Only our own SQL touches the files.
class HeldResults {
public:
	static std::shared_ptr<HeldResults> Open(HeldResultsOptions options);
	~HeldResults();

	//! Receives a result's chunks; the result is held once Finish returns. Dropped unfinished, it leaves nothing.
	class Writer {
	public:
		virtual ~Writer() = default;
		virtual const std::string &Id() const = 0;
		virtual void Append(const DataChunk &chunk) = 0;
		//! Stores the result; returns its row count.
		virtual uint64_t Finish() = 0;
	};
	//! Starts holding a result with these columns.
	std::unique_ptr<Writer> Begin(const std::vector<ResultColumn> &columns);

	//! Writes rows [offset, offset + limit) of a held result as data.table (see WriteTable) with "result_id"
	//! and "offset". NotFoundError names an id that is not (or no longer) held.
	void WriteWindow(JsonWriter &json, const std::string &id, uint64_t offset, uint64_t limit);

	//! Writes the whole result as `format` (csv or parquet) to a new file under `temp_dir` and returns it.
	std::filesystem::path Export(const std::string &id, const std::string &format,
	                             const std::filesystem::path &temp_dir);

	//! Bytes of finished results on disk.
	uint64_t Bytes() const;
	//! Deletes results past their age, then the least recently used while over the size limit.
	void Expire();

	struct Impl;

private:
	explicit HeldResults(std::unique_ptr<Impl> impl);
	std::unique_ptr<Impl> impl_;
};

} // namespace deltaduck::worker
