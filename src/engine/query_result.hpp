#pragma once

#include "engine/duckdb_handles.hpp"
#include "engine/logical_type.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace deltaduck {

//! Owns one chunk of result rows (at most 2048).
class DataChunk {
public:
	explicit DataChunk(duckdb_data_chunk chunk = nullptr) : chunk_(chunk) {
	}
	DataChunk(DataChunk &&other) noexcept : chunk_(other.chunk_) {
		other.chunk_ = nullptr;
	}
	DataChunk &operator=(DataChunk &&other) noexcept;
	DataChunk(const DataChunk &) = delete;
	DataChunk &operator=(const DataChunk &) = delete;
	~DataChunk();

	//! False once the result is exhausted.
	explicit operator bool() const {
		return chunk_ != nullptr;
	}
	uint64_t RowCount() const;
	//! The column's vector (engine internal; valid while the chunk lives).
	duckdb_vector Column(uint64_t index) const;
	//! The borrowed C handle (engine internal).
	duckdb_data_chunk Get() const {
		return chunk_;
	}

private:
	duckdb_data_chunk chunk_;
};

//! A column of a result: its name and type.
struct ResultColumn {
	std::string name;
	LogicalType type;
};

//! What a statement returns: rows, a count of changed rows, or nothing.
enum class ResultKind { ROWS, CHANGED_ROWS, NOTHING };

//! Owns a query result, read chunk by chunk; streaming results never hold more than a chunk or so.
class QueryResult {
public:
	QueryResult(QueryResult &&other) noexcept;
	QueryResult &operator=(QueryResult &&other) noexcept;
	~QueryResult();

	const std::vector<ResultColumn> &Columns() const {
		return columns_;
	}
	//! The next chunk; an empty DataChunk when the result is exhausted. Throws on execution errors
	//! (including InterruptedError after Connection::Interrupt).
	DataChunk Fetch();
	//! Rows inserted, updated or deleted by the statement (0 for queries).
	uint64_t RowsChanged() const;
	//! Whether the statement returns rows, a changed-row count, or nothing.
	ResultKind Kind() const;

private:
	friend class Connection;
	friend class PreparedStatement;
	struct Impl;
	explicit QueryResult(std::unique_ptr<Impl> impl);
	std::unique_ptr<Impl> impl_;
	std::vector<ResultColumn> columns_;
};

} // namespace deltaduck
