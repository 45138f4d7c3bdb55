#include "delta/checkpoint_reader.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/actions.hpp"
#include "engine/column_view.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"

#include <algorithm>
#include <fstream>
#include <map>
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

//! The fields of add and remove actions that snapshots keep; each is read as a column of its own ("add.path"), so
//! parquet decodes neither stats_parsed nor partitionValues_parsed.
const std::vector<std::string> ADD_FIELDS = {field::PATH,        field::PARTITION_VALUES,
                                             field::SIZE,        field::MODIFICATION_TIME,
                                             field::DATA_CHANGE, field::STATS,
                                             field::TAGS,        field::DELETION_VECTOR,
                                             field::BASE_ROW_ID, field::DEFAULT_ROW_COMMIT_VERSION};
const std::vector<std::string> REMOVE_FIELDS = {
    field::PATH, field::DELETION_TIMESTAMP, field::DATA_CHANGE, field::DELETION_VECTOR, field::PARTITION_VALUES,
    field::SIZE};

//! The column `action.field` of a chunk; a field the checkpoint lacks reads as NULL.
ColumnView FieldColumn(const char *action, const char *field, const DataChunk &chunk,
                       const std::map<std::string, size_t> &index, const std::vector<TypeInfo> &types) {
	auto it = index.find(std::string(action) + "." + field);
	return it == index.end() ? ColumnView() : ColumnView(chunk, it->second, types[it->second]);
}

//! One chunk's columns of a file action, each found once per chunk rather than once per row.
struct FileColumns {
	FileColumns(const char *action, const DataChunk &chunk, const std::map<std::string, size_t> &index,
	            const std::vector<TypeInfo> &types) {
		auto column = [&](const char *field) { return FieldColumn(action, field, chunk, index, types); };
		this->action = action;
		path = column(field::PATH);
		partition_values = column(field::PARTITION_VALUES);
		size = column(field::SIZE);
		modification_time = column(field::MODIFICATION_TIME);
		data_change = column(field::DATA_CHANGE);
		stats = column(field::STATS);
		tags = column(field::TAGS);
		deletion_vector = column(field::DELETION_VECTOR);
		base_row_id = column(field::BASE_ROW_ID);
		default_row_commit_version = column(field::DEFAULT_ROW_COMMIT_VERSION);
		deletion_timestamp = column(field::DELETION_TIMESTAMP);
	}
	const char *action;
	ColumnView path, partition_values, size, modification_time, data_change, stats, tags, deletion_vector, base_row_id,
	    default_row_commit_version, deletion_timestamp;
};

std::string RequiredString(const ColumnView &column, uint64_t row, const char *action, const char *name) {
	if (column.IsNull(row)) {
		ThrowMalformed(action, name, "is missing");
	}
	return std::string(column.String(row));
}

int64_t RequiredInt(const ColumnView &column, uint64_t row, const char *action, const char *name) {
	if (column.IsNull(row)) {
		ThrowMalformed(action, name, "is missing");
	}
	return column.Int(row);
}

PartitionValues ReadPartitionValues(const ColumnView &column, uint64_t row) {
	PartitionValues values;
	if (!column.IsNull(row)) {
		for (auto &[key, value] : column.StringMap(row)) {
			values[key] = std::move(value);
		}
	}
	return values;
}

std::optional<DeletionVectorDescriptor> ReadDeletionVector(const ColumnView &column, uint64_t row, const char *action) {
	if (column.IsNull(row)) {
		return std::nullopt;
	}
	DeletionVectorDescriptor dv;
	auto storage = RequiredString(column.Field(field::STORAGE_TYPE), row, action, "deletionVector.storageType");
	if (storage.size() != 1) {
		ThrowMalformed(action, "deletionVector.storageType", "is not a single character");
	}
	dv.storage_type = storage[0];
	dv.path_or_inline_dv =
	    RequiredString(column.Field(field::PATH_OR_INLINE_DV), row, action, "deletionVector.pathOrInlineDv");
	if (auto offset = column.Field(field::OFFSET).OptionalInt(row)) {
		dv.offset = static_cast<int32_t>(*offset);
	}
	dv.size_in_bytes = static_cast<int32_t>(
	    RequiredInt(column.Field(field::SIZE_IN_BYTES), row, action, "deletionVector.sizeInBytes"));
	dv.cardinality = RequiredInt(column.Field(field::CARDINALITY), row, action, "deletionVector.cardinality");
	return dv;
}

//! An add from its columns: the same fields and defaults ParseAdd gives a commit's add.
Add ReadAdd(const FileColumns &fields, uint64_t row) {
	const char *action = fields.action;
	Add add;
	add.path = DecodeUriPath(RequiredString(fields.path, row, action, field::PATH));
	add.partition_values = ReadPartitionValues(fields.partition_values, row);
	add.size = RequiredInt(fields.size, row, action, field::SIZE);
	add.modification_time = fields.modification_time.OptionalInt(row).value_or(0);
	add.data_change = fields.data_change.OptionalBool(row).value_or(true);
	add.stats = fields.stats.OptionalString(row);
	if (auto tags = fields.tags; !tags.IsNull(row)) {
		for (auto &[key, value] : tags.StringMap(row)) {
			if (value) {
				add.tags[key] = std::move(*value);
			}
		}
	}
	add.deletion_vector = ReadDeletionVector(fields.deletion_vector, row, action);
	add.base_row_id = fields.base_row_id.OptionalInt(row);
	add.default_row_commit_version = fields.default_row_commit_version.OptionalInt(row);
	return add;
}

//! A remove from its columns: the same fields and defaults ParseRemove gives a commit's remove.
Remove ReadRemove(const FileColumns &fields, uint64_t row) {
	const char *action = fields.action;
	Remove remove;
	remove.path = DecodeUriPath(RequiredString(fields.path, row, action, field::PATH));
	remove.deletion_timestamp = fields.deletion_timestamp.OptionalInt(row);
	remove.data_change = fields.data_change.OptionalBool(row).value_or(true);
	remove.deletion_vector = ReadDeletionVector(fields.deletion_vector, row, action);
	if (auto values = fields.partition_values; !values.IsNull(row)) {
		remove.partition_values = ReadPartitionValues(values, row);
	}
	remove.size = fields.size.OptionalInt(row);
	return remove;
}

//! Reads the actions of parquet checkpoint files (or sidecars): adds and removes field by field, the `others`
//! (top-level struct columns, those present) through the engine's JSON encoding and the shared action parser.
void ReadParquetActions(Connection &connection, const std::vector<fs::path> &files,
                        const std::vector<std::string> &others, const CheckpointActions &actions) {
	std::vector<std::string> paths;
	for (const auto &file : files) {
		paths.push_back(file.string());
	}
	auto source = "read_parquet(" + QuoteList(paths) + ", union_by_name = true)";
	try {
		std::string select;
		auto add_column = [&](const std::string &expression, const std::string &name) {
			select += (select.empty() ? "" : ", ") + expression + " AS " + QuoteIdentifier(name);
		};
		auto schema = connection.Query("SELECT * FROM " + source + " LIMIT 0");
		for (const auto &column : schema.Columns()) {
			auto type = column.type.Describe();
			if (column.name == field::ADD || column.name == field::REMOVE) {
				const auto &wanted = column.name == field::ADD ? ADD_FIELDS : REMOVE_FIELDS;
				if (std::none_of(type.children.begin(), type.children.end(),
				                 [](const auto &child) { return child.first == field::PATH; })) {
					ThrowMalformed(column.name == field::ADD ? field::ADD : field::REMOVE, field::PATH,
					               "is not a column of the checkpoint");
				}
				for (const auto &[name, child] : type.children) {
					if (std::find(wanted.begin(), wanted.end(), name) != wanted.end()) {
						add_column(QuoteIdentifier(column.name) + "." + QuoteIdentifier(name),
						           column.name + "." + name);
					}
				}
			} else if (std::find(others.begin(), others.end(), column.name) != others.end()) {
				add_column(QuoteIdentifier(column.name), column.name);
			}
		}
		if (select.empty()) {
			return;
		}
		auto result = connection.Query("SELECT " + select + " FROM " + source);
		std::map<std::string, size_t> index;
		std::vector<TypeInfo> types;
		std::vector<size_t> other_columns;
		for (size_t i = 0; i < result.Columns().size(); i++) {
			const auto &name = result.Columns()[i].name;
			index[name] = i;
			types.push_back(result.Columns()[i].type.Describe());
			if (name.find('.') == std::string::npos) {
				other_columns.push_back(i);
			}
		}
		// Exact numbers: a txn version above 2^53 must come back with every digit.
		RowEncoder rows(result.Columns(), NumberStyle::EXACT);
		std::string text;
		while (auto chunk = result.Fetch()) {
			FileColumns add(field::ADD, chunk, index, types), remove(field::REMOVE, chunk, index, types);
			rows.Bind(chunk);
			for (uint64_t row = 0; row < chunk.RowCount(); row++) {
				if (!add.path.IsNull(row)) {
					actions.add(ReadAdd(add, row));
					continue;
				}
				if (!remove.path.IsNull(row)) {
					actions.remove(ReadRemove(remove, row));
					continue;
				}
				for (auto i : other_columns) {
					auto &encoder = *rows.Columns()[i];
					if (encoder.IsNull(row)) {
						continue;
					}
					text.clear();
					JsonWriter writer(text);
					encoder.WriteJson(writer, row);
					json action;
					action[result.Columns()[i].name] = json::parse(text);
					actions.other(action);
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

void ReadCheckpoint(Connection &connection, const LogSegment &segment, const CheckpointActions &actions) {
	std::vector<fs::path> files;
	for (const auto &part : segment.checkpoint_parts) {
		files.push_back(segment.log_dir / part.filename);
	}
	std::vector<fs::path> sidecars;
	CheckpointActions collect = actions;
	collect.other = [&](const json &action) {
		if (auto sidecar = action.find(field::SIDECAR); sidecar != action.end()) {
			if (!sidecar->contains(field::PATH)) {
				throw CorruptError("malformed sidecar action in " + files.front().string());
			}
			auto path = DecodeUriPath(sidecar->at(field::PATH).get<std::string>());
			sidecars.push_back(path.find('/') == std::string::npos ? segment.log_dir / "_sidecars" / path
			                                                       : fs::path(path));
		} else {
			actions.other(action);
		}
	};
	const auto &first = segment.checkpoint_parts.front();
	if (first.type == LogPathType::V2_CHECKPOINT && first.extension == "json") {
		for (const auto &action : ReadJsonActions(files.front())) {
			if (auto add = action.find(field::ADD); add != action.end()) {
				collect.add(ParseAdd(*add));
			} else if (auto remove = action.find(field::REMOVE); remove != action.end()) {
				collect.remove(ParseRemove(*remove));
			} else {
				collect.other(action);
			}
		}
	} else {
		ReadParquetActions(connection, files,
		                   {field::METADATA, field::PROTOCOL, field::TXN, field::DOMAIN_METADATA, field::SIDECAR},
		                   collect);
	}
	if (!sidecars.empty()) {
		ReadParquetActions(connection, sidecars, {}, actions);
	}
}

} // namespace deltaduck::delta
