#include "delta/data_files.hpp"

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/fault_injection.hpp"
#include "common/json_writer.hpp"
#include "common/sql_quote.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! Partition directories name a NULL value so (as Hive and Spark do).
constexpr const char *NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";
//! DuckDB writes a new version's files into `<table>/_deltaduck_staging_<id>/` before they move into the table.
constexpr const char *STAGING_PREFIX = "_deltaduck_staging_";

//! numRecords, minValues, maxValues and nullCount of each file, from the parquet footers (no data pass).
void CollectStats(Connection &connection, const Schema &schema, const std::vector<std::string> &partitions,
                  std::vector<WrittenFile> &files, const fs::path &root) {
	std::string list;
	for (const auto &file : files) {
		list += (list.empty() ? "" : ", ") + QuoteLiteral((root / file.relative_path).string());
	}
	// One column per statistic and field, in the order min, max, null count.
	std::string select = "SELECT file_name, sum(CASE WHEN column_id = 0 THEN row_group_num_rows END)";
	std::vector<std::string> names;
	for (const auto &field : schema.fields) {
		const auto &type = *field.type;
		if (std::count(partitions.begin(), partitions.end(), field.name) || type.kind == DataType::Kind::STRUCT ||
		    type.kind == DataType::Kind::ARRAY || type.kind == DataType::Kind::MAP || type.name == "binary") {
			continue;
		}
		auto where = "path_in_schema = " + QuoteLiteral(field.name);
		auto duck = type.ToDuckDB();
		auto min = "min(CASE WHEN " + where + " THEN TRY_CAST(stats_min_value AS " + duck + ") END)";
		auto max = "max(CASE WHEN " + where + " THEN TRY_CAST(stats_max_value AS " + duck + ") END)";
		if (type.name == "string") {
			// A prefix is still a lower bound; a cut maximum would not be an upper bound, so it is left out.
			min = "left(" + min + ", 32)";
			max = "CASE WHEN length(" + max + ") > 32 THEN NULL ELSE " + max + " END";
		}
		select += ", " + min + ", " + max + ", sum(CASE WHEN " + where + " THEN stats_null_count END)";
		names.push_back(field.name);
	}
	auto result = connection.Query(select + " FROM parquet_metadata([" + list + "]) GROUP BY file_name");
	// Stats keep every digit: Delta readers parse them with the column's type, not as doubles.
	RowEncoder encoder(result.Columns(), NumberStyle::EXACT);
	std::map<std::string, WrittenFile *> by_path;
	for (auto &file : files) {
		by_path[(root / file.relative_path).string()] = &file;
	}
	const char *sections[] = {"minValues", "maxValues", "nullCount"};
	while (auto chunk = result.Fetch()) {
		encoder.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount(); row++) {
			std::string name, records;
			encoder.Columns()[0]->WriteText(name, row);
			encoder.Columns()[1]->WriteText(records, row);
			auto it = by_path.find(name);
			if (it == by_path.end()) {
				continue;
			}
			auto &file = *it->second;
			file.records = records.empty() ? 0 : std::stoll(records);
			file.stats.clear();
			JsonWriter stats(file.stats);
			stats.BeginObject();
			stats.Key("numRecords");
			stats.Int(file.records);
			for (size_t section = 0; section < 3 && !names.empty(); section++) {
				stats.Key(sections[section]);
				stats.BeginObject();
				for (size_t i = 0; i < names.size(); i++) {
					auto &column = *encoder.Columns()[2 + i * 3 + section];
					if (!column.IsNull(row)) { // an unknown bound is left out, not written as null
						stats.Key(names[i]);
						column.WriteJson(stats, row);
					}
				}
				stats.EndObject();
			}
			stats.EndObject();
		}
	}
}

//! Moves staged files into the table (same file system: renames), returning them with their partition values.
std::vector<WrittenFile> PublishFiles(const fs::path &root, const fs::path &staging,
                                      const std::vector<std::string> &partitions, const std::string &directory) {
	std::vector<WrittenFile> files;
	for (const auto &entry : fs::recursive_directory_iterator(staging)) {
		if (!entry.is_regular_file() || entry.path().extension() != ".parquet") {
			continue;
		}
		auto relative = fs::relative(entry.path(), staging);
		WrittenFile file;
		for (const auto &segment : relative.parent_path()) {
			auto text = segment.string();
			auto equals = text.find('=');
			if (equals == std::string::npos) {
				continue;
			}
			auto key = DecodeUriPath(text.substr(0, equals));
			auto value = DecodeUriPath(text.substr(equals + 1));
			file.partition_values[key] = value == NULL_PARTITION ? std::nullopt : std::optional<std::string>(value);
		}
		for (const auto &name : partitions) {
			file.partition_values.try_emplace(name, std::nullopt);
		}
		if (partitions.empty() && !directory.empty()) {
			relative = fs::path(directory) / relative;
		}
		auto target = root / relative;
		fs::create_directories(target.parent_path());
		fs::rename(entry.path(), target);
		file.relative_path = relative.string();
		file.size = static_cast<int64_t>(fs::file_size(target));
		files.push_back(std::move(file));
	}
	std::error_code error;
	fs::remove_all(staging, error);
	return files;
}

} // namespace

std::string PartitionValueExpression(const StructField &field, const std::string &alias) {
	auto column = QuoteIdentifier(field.name);
	const auto &type = *field.type;
	std::string text;
	if (type.kind != DataType::Kind::PRIMITIVE && type.kind != DataType::Kind::DECIMAL) {
		throw InvalidInputError("cannot partition by " + field.name + ": nested types cannot be partition columns");
	}
	if (type.name == "binary") {
		throw InvalidInputError("cannot partition by " + field.name + ": binary columns cannot be partition columns");
	}
	if (type.name == "timestamp" || type.name == "timestamp_ntz") {
		text = "strftime(" + column + ", '%Y-%m-%d %H:%M:%S.%f')";
	} else {
		text = "CAST(" + column + " AS VARCHAR)";
	}
	// An empty string has no folder name of its own: it is stored as NULL, as Spark stores it (and as every
	// reader, ours included, reads an empty partition value).
	auto is_null = type.name == "string" ? column + " IS NULL OR " + column + " = ''" : column + " IS NULL";
	return "CASE WHEN " + is_null + " THEN " + QuoteLiteral(NULL_PARTITION) + " ELSE " + text + " END AS " +
	       QuoteIdentifier(alias.empty() ? field.name : alias);
}

Add WrittenFile::ToAdd(int64_t modification_time, bool data_change) const {
	Add add;
	add.path = relative_path;
	add.partition_values = partition_values;
	add.size = size;
	add.modification_time = modification_time;
	add.data_change = data_change;
	add.stats = stats;
	return add;
}

Schema PhysicalSchema(const Schema &schema, const std::string &table) {
	Schema physical;
	for (const auto &field : schema.fields) {
		if (field.type->kind != DataType::Kind::PRIMITIVE && field.type->kind != DataType::Kind::DECIMAL) {
			throw UnsupportedError("cannot write table " + table + ": column " + field.name +
			                       " is nested, and writing nested columns under column mapping is not supported");
		}
		if (!field.physical_name) {
			throw UnsupportedError("cannot write table " + table + ": column " + field.name +
			                       " has no physical name, though the table uses column mapping (a column added "
			                       "without one cannot be written)");
		}
		auto renamed = field;
		renamed.name = *field.physical_name;
		physical.fields.push_back(std::move(renamed));
	}
	return physical;
}

std::vector<WrittenFile> WriteDataFiles(Connection &connection, const fs::path &table_root,
                                        const std::string &select_sql, const Schema &schema,
                                        const std::vector<std::string> &partitions, const DataFileOptions &options) {
	if (options.compression != "zstd" && options.compression != "snappy") {
		throw InvalidInputError("unsupported compression " + options.compression + " (expected zstd or snappy)");
	}
	// Each write stages in a folder of its own (underscore-prefixed names are ignored by Delta readers), so
	// no writer ever removes a folder another one is about to use.
	auto staging = table_root / (std::string(STAGING_PREFIX) + NewUuid());
	std::error_code created;
	fs::create_directories(staging, created);
	if (created) {
		throw IOError("cannot create " + staging.string() + ": " + created.message());
	}
	std::string copy = "COPY (" + select_sql + ") TO " + QuoteLiteral(staging.string()) +
	                   " (FORMAT parquet, COMPRESSION " + options.compression + ", FILENAME_PATTERN 'part-{uuid}'";
	if (partitions.empty()) {
		copy += ", FILE_SIZE_BYTES " + std::to_string(options.target_file_size);
	} else {
		std::string by;
		for (const auto &name : partitions) {
			by += (by.empty() ? "" : ", ") + QuoteIdentifier(name);
		}
		copy += ", PARTITION_BY (" + by + ")";
	}
	if (!options.field_ids.empty()) {
		std::string ids;
		for (const auto &[name, id] : options.field_ids) {
			ids += (ids.empty() ? "" : ", ") + QuoteLiteral(name) + ": " + std::to_string(id);
		}
		copy += ", FIELD_IDS {" + ids + "}";
	}
	try {
		connection.Execute(copy + ")");
	} catch (...) {
		std::error_code error;
		fs::remove_all(staging, error);
		fs::remove(table_root, error); // a new table's folder, if nothing else is in it
		throw;
	}
	std::vector<WrittenFile> files;
	try {
		files = PublishFiles(table_root, staging, partitions, options.directory);
		FaultPoint("after_data_files");
	} catch (const fs::filesystem_error &e) {
		throw IOError(std::string("cannot move written files into the table: ") + e.what());
	}
	if (!files.empty()) {
		CollectStats(connection, schema, partitions, files, table_root);
	}
	return files;
}

} // namespace deltaduck::delta
