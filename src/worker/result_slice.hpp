#pragma once

#include "engine/query_result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck::worker {

//! A result column as answers describe it.
struct SliceColumn {
	std::string name;
	//! DuckDB's spelling of the type, e.g. `DECIMAL(18,3)`.
	std::string type;
	//! The type without parameters (INTEGER, DECIMAL, TIMESTAMP WITH TIME ZONE, ...).
	std::string type_id;
	//! A key for the original's table shape: the name lowercased, other characters than letters and digits
	//! as `_`, made distinct with a `_2`, `_3` suffix (web tables read keys with dots as nested paths).
	std::string key;
};

//! The first rows of a result, each value encoded once as JSON. Reading stops one chunk after the chunk
//! that completes the slice (that one tells whether the result ends there): the rest of the result is never
//! computed, and rows past the slice are never converted.
class ResultSlice {
public:
	//! Reads up to `limit` rows of `result`. If the result ends within the chunks read, the total is known.
	//! `observe` sees every chunk read, before it is sliced (to keep the whole result, say).
	static ResultSlice Read(QueryResult &result, uint64_t limit,
	                        const std::function<void(const DataChunk &)> &observe = nullptr);

	const std::vector<SliceColumn> &Columns() const {
		return columns_;
	}
	uint64_t RowCount() const {
		return row_count_;
	}
	//! The JSON of one value.
	std::string_view Cell(uint64_t row, size_t column) const {
		auto index = row * columns_.size() + column;
		return std::string_view(cells_).substr(offsets_[index], offsets_[index + 1] - offsets_[index]);
	}
	//! The result's row count, when the whole result was read.
	std::optional<uint64_t> TotalRows() const {
		return total_rows_;
	}
	//! Rows the engine produced (at least RowCount(); a lower bound on the total when it is unknown).
	uint64_t RowsSeen() const {
		return rows_seen_;
	}
	//! Whether the result has rows beyond the slice.
	bool Truncated() const {
		return !total_rows_ || *total_rows_ > row_count_;
	}

private:
	std::vector<SliceColumn> columns_;
	std::string cells_;
	std::vector<uint32_t> offsets_;
	uint64_t row_count_ = 0;
	uint64_t rows_seen_ = 0;
	std::optional<uint64_t> total_rows_;
};

//! Whether a type id is a number a chart can plot.
bool IsNumericType(std::string_view type_id);
//! Whether a type id is a date, time or timestamp.
bool IsTemporalType(std::string_view type_id);

} // namespace deltaduck::worker
