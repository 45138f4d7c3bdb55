#pragma once

#include "common/json_writer.hpp"
#include "worker/result_slice.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::worker {

//! Which views of a result a request asks for (`request_contents`).
struct AnswerContents {
	bool message = false;
	bool chart = false;
	bool table = false;
};

//! Chart points chosen over a whole result (M4): per bucket of rows, each series' first, last, lowest and
//! highest point.
struct Downsample {
	//! Rows of the whole result.
	uint64_t from_rows = 0;
	//! Per series (in ChartLayout order): points as (row index, x JSON, y JSON), ascending by row.
	struct Point {
		uint64_t row;
		std::string x;
		std::string y;
	};
	std::vector<std::vector<Point>> series;
};

//! Which columns a chart draws: x is the first temporal or numeric column (none: the row index), every
//! other numeric column is a series. A result whose only number would be x draws it against the row index.
struct ChartLayout {
	std::optional<size_t> x;
	std::vector<size_t> series;
	static ChartLayout Choose(const std::vector<SliceColumn> &columns);
};

//! Computes M4 points over the whole result of `select_sql` in DuckDB (a count, then one
//! pass that groups rows into `buckets` buckets); only the chosen points leave the engine. Returns nothing
//! when the statement cannot be wrapped as a subquery.
std::optional<Downsample> DownsampleChart(Connection &connection, const std::string &select_sql,
                                          const std::vector<SliceColumn> &columns, const ChartLayout &layout,
                                          uint64_t buckets);

//! `Queried Result Size: <rows>, <cols>` (rows: exact, or "at least N" when only a lower bound is known).
std::string SizeMessage(std::optional<uint64_t> total_rows, uint64_t lower_bound, size_t columns);

//! Writes data.table: the original's {"headers", "items"} (an `index` column first, values typed) plus
//! "columns" (name, key, type), "row_count" (null when unknown), "rows_shown" and "truncated". The `index` of the
//! slice's first row is `first_index` (a window of a held result starts at its offset).
void WriteTable(JsonWriter &json, const ResultSlice &slice, std::optional<uint64_t> total_rows,
                uint64_t first_index = 0);

//! Writes data.chart: the original's Chart.js {"labels", "datasets"} plus {"x", "series"} a chart library
//! draws directly, and "downsampled": {"method", "from_rows", "points"} when `downsample` is given.
void WriteChart(JsonWriter &json, const ResultSlice &slice, const ChartLayout &layout,
                const std::optional<Downsample> &downsample);

} // namespace deltaduck::worker
