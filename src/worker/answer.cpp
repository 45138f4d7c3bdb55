#include "worker/answer.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "engine/connection.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace deltaduck::worker {

namespace {

//! A numeric value for a chart: exact strings (big integers, wide decimals) become plain JSON numbers, which a
//! chart draws as doubles; NaN and infinities become gaps.
std::string ChartNumber(std::string_view cell) {
	if (cell.empty() || cell.front() != '"') {
		return std::string(cell);
	}
	auto inner = cell.substr(1, cell.size() - 2);
	if (inner == "NaN" || inner == "Infinity" || inner == "-Infinity") {
		return "null";
	}
	return std::string(inner);
}

} // namespace

ChartLayout ChartLayout::Choose(const std::vector<SliceColumn> &columns) {
	ChartLayout layout;
	for (size_t i = 0; i < columns.size(); i++) {
		const auto &id = columns[i].type_id;
		if (!layout.x && (IsTemporalType(id) || IsNumericType(id))) {
			layout.x = i;
		} else if (IsNumericType(id)) {
			layout.series.push_back(i);
		}
	}
	if (layout.series.empty() && layout.x && IsNumericType(columns[*layout.x].type_id)) {
		// A single number is what to draw, against the row index.
		layout.series.push_back(*layout.x);
		layout.x.reset();
	}
	return layout;
}

std::string SizeMessage(std::optional<uint64_t> total_rows, uint64_t lower_bound, size_t columns) {
	auto rows = total_rows ? std::to_string(*total_rows) : "at least " + std::to_string(lower_bound);
	return "Queried Result Size: " + rows + ", " + std::to_string(columns);
}

std::optional<Downsample> DownsampleChart(Connection &connection, const std::string &select_sql,
                                          const std::vector<SliceColumn> &columns, const ChartLayout &layout,
                                          uint64_t buckets) {
	// The statement becomes a subquery with positional column names, so odd or duplicate names cannot clash.
	std::string aliases;
	for (size_t i = 0; i < columns.size(); i++) {
		aliases += (i ? ", c" : "c") + std::to_string(i);
	}
	auto source = "(\n" + select_sql + "\n) __dd_q(" + aliases + ")";
	uint64_t rows = 0;
	try {
		auto count = connection.Query("SELECT count(*) FROM " + source);
		auto slice = ResultSlice::Read(count, 1);
		rows = std::stoull(std::string(slice.Cell(0, 0)));
	} catch (const InterruptedError &) {
		throw;
	} catch (const Error &) {
		return std::nullopt; // not a query that can be wrapped (PRAGMA, EXPLAIN, ...): the chart is cut instead
	}
	Downsample downsample;
	downsample.from_rows = rows;
	downsample.series.resize(layout.series.size());
	if (rows == 0 || layout.series.empty()) {
		return downsample;
	}
	// M4: per bucket and series the first, last, lowest and highest point, each taken whole from one row (a
	// struct), so row, x and y always belong together and a NULL y stays a gap.
	std::string x = layout.x ? "c" + std::to_string(*layout.x) : "__dd_r";
	std::string sql = "SELECT ";
	for (size_t k = 0; k < layout.series.size(); k++) {
		auto y = "c" + std::to_string(layout.series[k]);
		auto point = "{'r': __dd_r, 'x': " + x + ", 'y': " + y + "}";
		sql += (k ? ", " : "") + ("arg_min(" + point + ", __dd_r), arg_max(" + point + ", __dd_r)") +
		       (", arg_min(" + point + ", " + y + "), arg_max(" + point + ", " + y + ")");
	}
	sql += " FROM (SELECT row_number() OVER () - 1 AS __dd_r, * FROM " + source + ") GROUP BY (__dd_r * " +
	       std::to_string(buckets) + ") // " + std::to_string(rows);
	auto result = connection.Query(sql);
	auto points = ResultSlice::Read(result, UINT64_MAX);
	bool numeric_x = layout.x && IsNumericType(columns[*layout.x].type_id);
	for (uint64_t bucket = 0; bucket < points.RowCount(); bucket++) {
		for (size_t k = 0; k < layout.series.size(); k++) {
			for (size_t end = 0; end < 4; end++) {
				auto point = nlohmann::json::parse(points.Cell(bucket, k * 4 + end));
				if (!point.is_object()) {
					continue; // the series has no value in the bucket at all
				}
				auto x_json = point["x"].dump();
				downsample.series[k].push_back({point["r"].get<uint64_t>(), numeric_x ? ChartNumber(x_json) : x_json,
				                                ChartNumber(point["y"].dump())});
			}
		}
	}
	for (auto &series : downsample.series) {
		std::sort(series.begin(), series.end(), [](const auto &a, const auto &b) { return a.row < b.row; });
		series.erase(
		    std::unique(series.begin(), series.end(), [](const auto &a, const auto &b) { return a.row == b.row; }),
		    series.end());
	}
	return downsample;
}

void WriteTable(JsonWriter &json, const ResultSlice &slice, std::optional<uint64_t> total_rows, uint64_t first_index) {
	const auto &columns = slice.Columns();
	json.BeginObject();
	json.Key("headers");
	json.BeginArray();
	json.BeginObject();
	json.Key("text");
	json.String("index");
	json.Key("value");
	json.String("index");
	json.EndObject();
	for (const auto &column : columns) {
		json.BeginObject();
		json.Key("text");
		json.String(column.name);
		json.Key("value");
		json.String(column.key);
		json.EndObject();
	}
	json.EndArray();
	json.Key("items");
	json.BeginArray();
	for (uint64_t row = 0; row < slice.RowCount(); row++) {
		json.BeginObject();
		json.Key("index");
		json.UInt(first_index + row);
		for (size_t col = 0; col < columns.size(); col++) {
			json.Key(columns[col].key);
			json.Raw(slice.Cell(row, col));
		}
		json.EndObject();
	}
	json.EndArray();
	json.Key("columns");
	json.BeginArray();
	for (const auto &column : columns) {
		json.BeginObject();
		json.Key("name");
		json.String(column.name);
		json.Key("key");
		json.String(column.key);
		json.Key("type");
		json.String(column.type);
		json.EndObject();
	}
	json.EndArray();
	json.Key("row_count");
	total_rows ? json.UInt(*total_rows) : json.Null();
	json.Key("rows_shown");
	json.UInt(slice.RowCount());
	json.Key("truncated");
	json.Bool(!total_rows || *total_rows > slice.RowCount());
	json.EndObject();
}

namespace {

//! Colours of the original dashboard's charts, cycled per dataset.
const char *const PALETTE[] = {"#07ee7a", "#e86620", "#4fc3f7", "#ffd54f", "#ba68c8",
                               "#f06292", "#81c784", "#90a4ae", "#ff8a65", "#9575cd"};

//! Chart points as rows: the row index, x, and one value per series (null where a series has no point).
struct ChartRows {
	std::vector<uint64_t> rows;
	std::vector<std::string> x;
	std::vector<std::vector<std::string>> series;
};

//! A cell of a column as a chart draws it.
std::string ChartCell(const ResultSlice &slice, uint64_t row, size_t column) {
	auto cell = slice.Cell(row, column);
	return IsNumericType(slice.Columns()[column].type_id) ? ChartNumber(cell) : std::string(cell);
}

ChartRows FromSlice(const ResultSlice &slice, const ChartLayout &layout) {
	ChartRows chart;
	chart.series.resize(layout.series.size());
	for (uint64_t row = 0; row < slice.RowCount(); row++) {
		chart.rows.push_back(row);
		chart.x.push_back(layout.x ? ChartCell(slice, row, *layout.x) : std::to_string(row));
		for (size_t k = 0; k < layout.series.size(); k++) {
			chart.series[k].push_back(ChartCell(slice, row, layout.series[k]));
		}
	}
	return chart;
}

//! Aligns every series' points on the union of their rows.
ChartRows FromDownsample(const Downsample &downsample) {
	std::map<uint64_t, std::string> x_by_row;
	for (const auto &series : downsample.series) {
		for (const auto &point : series) {
			x_by_row.emplace(point.row, point.x);
		}
	}
	ChartRows chart;
	std::map<uint64_t, size_t> position;
	for (const auto &[row, x] : x_by_row) {
		position[row] = chart.rows.size();
		chart.rows.push_back(row);
		chart.x.push_back(x);
	}
	for (const auto &series : downsample.series) {
		std::vector<std::string> values(chart.rows.size(), "null");
		for (const auto &point : series) {
			values[position[point.row]] = point.y;
		}
		chart.series.push_back(std::move(values));
	}
	return chart;
}

void WriteDataset(JsonWriter &json, const std::string &label, const std::vector<std::string> &values, size_t index) {
	json.BeginObject();
	json.Key("label");
	json.String(label);
	json.Key("data");
	json.BeginArray();
	for (const auto &value : values) {
		json.Raw(value);
	}
	json.EndArray();
	const char *color = PALETTE[index % (sizeof(PALETTE) / sizeof(PALETTE[0]))];
	json.Key("backgroundColor");
	json.String(color);
	json.Key("borderColor");
	json.String(color);
	json.Key("tension");
	json.Double(0.2);
	json.EndObject();
}

} // namespace

void WriteChart(JsonWriter &json, const ResultSlice &slice, const ChartLayout &layout,
                const std::optional<Downsample> &downsample) {
	const auto &columns = slice.Columns();
	auto chart = downsample ? FromDownsample(*downsample) : FromSlice(slice, layout);
	json.BeginObject();
	json.Key("labels");
	json.BeginArray();
	for (auto row : chart.rows) {
		json.UInt(row);
	}
	json.EndArray();
	// The original drew one dataset per column; a downsampled chart has points for the series only.
	json.Key("datasets");
	json.BeginArray();
	if (downsample) {
		for (size_t k = 0; k < layout.series.size(); k++) {
			WriteDataset(json, columns[layout.series[k]].name, chart.series[k], k);
		}
	} else {
		for (size_t col = 0; col < columns.size(); col++) {
			std::vector<std::string> values;
			for (uint64_t row = 0; row < slice.RowCount(); row++) {
				values.push_back(ChartCell(slice, row, col));
			}
			WriteDataset(json, columns[col].name, values, col);
		}
	}
	json.EndArray();
	json.Key("x");
	json.BeginObject();
	json.Key("name");
	layout.x ? json.String(columns[*layout.x].name) : json.Null();
	json.Key("type");
	json.String(layout.x ? columns[*layout.x].type : "ROW_INDEX");
	json.Key("data");
	json.BeginArray();
	for (const auto &x : chart.x) {
		json.Raw(x);
	}
	json.EndArray();
	json.EndObject();
	json.Key("series");
	json.BeginArray();
	for (size_t k = 0; k < layout.series.size(); k++) {
		json.BeginObject();
		json.Key("name");
		json.String(columns[layout.series[k]].name);
		json.Key("type");
		json.String(columns[layout.series[k]].type);
		json.Key("data");
		json.BeginArray();
		for (const auto &value : chart.series[k]) {
			json.Raw(value);
		}
		json.EndArray();
		json.EndObject();
	}
	json.EndArray();
	if (downsample) {
		json.Key("downsampled");
		json.BeginObject();
		json.Key("method");
		json.String("m4");
		json.Key("from_rows");
		json.UInt(downsample->from_rows);
		json.Key("points");
		json.UInt(chart.rows.size());
		json.EndObject();
	}
	json.EndObject();
}

} // namespace deltaduck::worker
