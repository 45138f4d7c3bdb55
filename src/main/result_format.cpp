#include "main/result_format.hpp"

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "engine/value_encoder.hpp"

#include <algorithm>
#include <set>
#include <vector>

namespace deltaduck {

OutputFormat ParseOutputFormat(const std::string &name) {
	if (name == "table") {
		return OutputFormat::TABLE;
	}
	if (name == "csv") {
		return OutputFormat::CSV;
	}
	if (name == "json") {
		return OutputFormat::JSON;
	}
	throw InvalidInputError("unknown output format: " + name + " (expected table, csv or json)");
}

namespace {

//! Flushes the buffer to the stream once it holds this much.
constexpr size_t FLUSH_BYTES = 1 << 16;

void AppendCsvField(std::string &out, std::string_view field) {
	if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
		out += field;
		return;
	}
	out.push_back('"');
	for (char c : field) {
		if (c == '"') {
			out.push_back('"');
		}
		out.push_back(c);
	}
	out.push_back('"');
}

uint64_t PrintCsv(QueryResult &result, std::ostream &out) {
	std::string buffer;
	for (size_t i = 0; i < result.Columns().size(); i++) {
		buffer += i ? "," : "";
		AppendCsvField(buffer, result.Columns()[i].name);
	}
	buffer += '\n';
	RowEncoder rows(result.Columns());
	std::string field;
	uint64_t count = 0;
	while (auto chunk = result.Fetch()) {
		rows.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount(); row++) {
			for (size_t col = 0; col < rows.Columns().size(); col++) {
				buffer += col ? "," : "";
				field.clear();
				rows.Columns()[col]->WriteText(field, row);
				AppendCsvField(buffer, field);
			}
			buffer += '\n';
		}
		count += chunk.RowCount();
		if (buffer.size() >= FLUSH_BYTES) {
			out << buffer;
			buffer.clear();
		}
	}
	out << buffer;
	return count;
}

uint64_t PrintJsonLines(QueryResult &result, std::ostream &out) {
	std::string buffer;
	RowEncoder rows(result.Columns());
	uint64_t count = 0;
	while (auto chunk = result.Fetch()) {
		rows.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount(); row++) {
			JsonWriter json(buffer);
			rows.WriteObject(json, row);
			buffer += '\n';
		}
		count += chunk.RowCount();
		if (buffer.size() >= FLUSH_BYTES) {
			out << buffer;
			buffer.clear();
		}
	}
	out << buffer;
	return count;
}

//! Display width of UTF-8 text: one column per code point (good enough for a terminal table).
size_t DisplayWidth(std::string_view text) {
	return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

//! Cuts a cell to `max_width` code points, marking the cut with an ellipsis; newlines shown as spaces.
std::string FitCell(std::string text, size_t max_width) {
	std::replace_if(
	    text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
	if (DisplayWidth(text) <= max_width) {
		return text;
	}
	size_t width = 0, i = 0;
	for (; i < text.size(); i++) {
		if ((text[i] & 0xC0) != 0x80 && ++width == max_width) {
			break;
		}
	}
	return text.substr(0, i) + "…";
}

uint64_t PrintTable(QueryResult &result, std::ostream &out, uint64_t max_rows) {
	constexpr size_t MAX_CELL = 40;
	const auto &columns = result.Columns();
	std::vector<std::vector<std::string>> cells; // header, type, then rows
	cells.emplace_back();
	cells.emplace_back();
	for (const auto &column : columns) {
		cells[0].push_back(FitCell(column.name, MAX_CELL));
		cells[1].push_back(FitCell(column.type.ToString(), MAX_CELL));
	}
	RowEncoder rows(columns);
	uint64_t count = 0;
	while (auto chunk = result.Fetch()) {
		rows.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount() && count + row < max_rows; row++) {
			auto &line = cells.emplace_back();
			for (auto &encoder : rows.Columns()) {
				std::string text;
				if (!encoder->WriteText(text, row)) {
					text = "NULL";
				}
				line.push_back(FitCell(std::move(text), MAX_CELL));
			}
		}
		count += chunk.RowCount();
	}
	std::vector<size_t> widths(columns.size(), 0);
	for (const auto &line : cells) {
		for (size_t i = 0; i < line.size(); i++) {
			widths[i] = std::max(widths[i], DisplayWidth(line[i]));
		}
	}
	auto rule = [&](const char *left, const char *middle, const char *right) {
		std::string text = left;
		for (size_t i = 0; i < widths.size(); i++) {
			for (size_t k = 0; k < widths[i] + 2; k++) {
				text += "─";
			}
			text += i + 1 < widths.size() ? middle : right;
		}
		out << text << '\n';
	};
	// Numbers are right-aligned so their digits line up, as in DuckDB's own shell.
	std::vector<bool> numeric;
	for (const auto &column : columns) {
		static const std::set<std::string> NUMERIC = {"TINYINT",  "SMALLINT",  "INTEGER",  "BIGINT",  "HUGEINT",
		                                              "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
		                                              "FLOAT",    "DOUBLE",    "DECIMAL",  "BIGNUM"};
		numeric.push_back(NUMERIC.count(column.type.Describe().id) > 0);
	}
	auto print_line = [&](const std::vector<std::string> &line, bool data) {
		std::string text = "│";
		for (size_t i = 0; i < line.size(); i++) {
			std::string padding(widths[i] - DisplayWidth(line[i]), ' ');
			text += " " + (data && numeric[i] ? padding + line[i] : line[i] + padding) + " │";
		}
		out << text << '\n';
	};
	if (!columns.empty()) {
		rule("┌", "┬", "┐");
		print_line(cells[0], false);
		print_line(cells[1], false);
		rule("├", "┼", "┤");
		for (size_t i = 2; i < cells.size(); i++) {
			print_line(cells[i], true);
		}
		rule("└", "┴", "┘");
	}
	out << count << (count == 1 ? " row" : " rows");
	if (count > max_rows) {
		out << " (" << max_rows << " shown)";
	}
	out << '\n';
	return count;
}

} // namespace

uint64_t PrintResult(QueryResult &result, OutputFormat format, std::ostream &out, uint64_t table_rows) {
	switch (format) {
	case OutputFormat::CSV:
		return PrintCsv(result, out);
	case OutputFormat::JSON:
		return PrintJsonLines(result, out);
	case OutputFormat::TABLE:
		return PrintTable(result, out, table_rows);
	}
	return 0;
}

} // namespace deltaduck
