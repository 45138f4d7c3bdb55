#include "delta/checkpoint_reader.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/actions.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<json> ReadJsonActions(const fs::path &file) {
	std::ifstream in(file, std::ios::binary);
	if (!in) {
		throw IOError("cannot read " + file.string());
	}
	std::vector<json> actions;
	std::string line;
	int64_t number = 0;
	while (std::getline(in, line)) {
		number++;
		if (line.find_first_not_of(" \t\r") == std::string::npos) {
			continue;
		}
		json parsed;
		try {
			parsed = json::parse(line);
		} catch (const json::exception &e) {
			throw CorruptError("corrupt Delta log file " + file.string() + " at line " + std::to_string(number) + ": " +
			                   e.what());
		}
		if (!parsed.is_object()) {
			throw CorruptError("corrupt Delta log file " + file.string() + " at line " + std::to_string(number) +
			                   ": an action is not a JSON object");
		}
		actions.push_back(std::move(parsed));
	}
	return actions;
}

namespace {

//! Reads the `wanted` top-level struct columns of parquet files (those present) and passes each non-null
//! one on as {column: value}. The value goes through the engine's JSON encoding, so checkpoint rows and
//! commit lines share one action parser.
void ReadParquetActions(Connection &connection, const std::vector<fs::path> &files,
                        const std::vector<std::string> &wanted, const ActionCallback &callback) {
	std::vector<std::string> paths;
	for (const auto &file : files) {
		paths.push_back(file.string());
	}
	auto source = "read_parquet(" + QuoteList(paths) + ", union_by_name = true)";
	try {
		std::vector<std::string> columns;
		for (const auto &row :
		     connection.QueryText("SELECT column_name FROM (DESCRIBE SELECT * FROM " + source + ")")) {
			if (std::find(wanted.begin(), wanted.end(), row[0]) != wanted.end()) {
				columns.push_back(row[0]);
			}
		}
		if (columns.empty()) {
			return;
		}
		std::string select;
		for (const auto &column : columns) {
			select += (select.empty() ? "" : ", ") + QuoteIdentifier(column);
		}
		auto result = connection.Query("SELECT " + select + " FROM " + source);
		// Exact numbers: a txn version or a size above 2^53 must come back with every digit.
		RowEncoder rows(result.Columns(), NumberStyle::EXACT);
		std::string text;
		while (auto chunk = result.Fetch()) {
			rows.Bind(chunk);
			for (uint64_t row = 0; row < chunk.RowCount(); row++) {
				for (size_t i = 0; i < columns.size(); i++) {
					auto &encoder = *rows.Columns()[i];
					if (encoder.IsNull(row)) {
						continue;
					}
					text.clear();
					JsonWriter writer(text);
					encoder.WriteJson(writer, row);
					json action;
					action[columns[i]] = json::parse(text);
					callback(action);
				}
			}
		}
	} catch (const CorruptError &) {
		throw;
	} catch (const Error &e) {
		throw CorruptError("cannot read checkpoint " + files.front().filename().string() +
		                   (files.size() > 1 ? " (and " + std::to_string(files.size() - 1) + " more parts)" : "") +
		                   ": " + e.what());
	}
}

} // namespace

void ReadCheckpoint(Connection &connection, const LogSegment &segment, const ActionCallback &callback) {
	std::vector<fs::path> files;
	for (const auto &part : segment.checkpoint_parts) {
		files.push_back(segment.log_dir / part.filename);
	}
	std::vector<fs::path> sidecars;
	auto collect = [&](const json &action) {
		if (auto sidecar = action.find(field::SIDECAR); sidecar != action.end()) {
			if (!sidecar->contains("path")) {
				throw CorruptError("malformed sidecar action in " + files.front().string());
			}
			auto path = DecodeUriPath(sidecar->at("path").get<std::string>());
			sidecars.push_back(path.find('/') == std::string::npos ? segment.log_dir / "_sidecars" / path
			                                                       : fs::path(path));
		} else {
			callback(action);
		}
	};
	const auto &first = segment.checkpoint_parts.front();
	if (first.type == LogPathType::V2_CHECKPOINT && first.extension == "json") {
		for (const auto &action : ReadJsonActions(files.front())) {
			collect(action);
		}
	} else {
		ReadParquetActions(connection, files,
		                   {field::ADD, field::REMOVE, field::METADATA, field::PROTOCOL, field::TXN,
		                    field::DOMAIN_METADATA, field::SIDECAR},
		                   collect);
	}
	if (!sidecars.empty()) {
		ReadParquetActions(connection, sidecars, {field::ADD, field::REMOVE}, callback);
	}
}

} // namespace deltaduck::delta
