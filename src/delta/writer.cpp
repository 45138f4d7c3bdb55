#include "delta/writer.hpp"

#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "common/sql_quote.hpp"
#include "delta/checkpoint_writer.hpp"
#include "delta/commit.hpp"
#include "delta/snapshot.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! Partition directories name a NULL value so (as Hive and Spark do).
constexpr const char *NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";
//! Where DuckDB writes a new version's files before they move into the table.
constexpr const char *STAGING_DIR = "_deltaduck_staging";
//! Upper bound on lost commit races one append retries.
constexpr int MAX_COMMIT_ATTEMPTS = 1000;
constexpr const char *ENGINE_INFO = "DeltaDuck/0.1 DuckDB/1.4.4";

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

std::string RandomId() {
	std::random_device random;
	std::mt19937_64 engine((uint64_t(random()) << 32) ^ random());
	static constexpr char HEX[] = "0123456789abcdef";
	std::string id;
	for (int i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20) {
			id += '-';
		}
		id += HEX[engine() & 15];
	}
	return id;
}

int HexDigit(char c) {
	return std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
	                                                   : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

std::string PercentDecode(const std::string &text) {
	std::string out;
	for (size_t i = 0; i < text.size(); i++) {
		if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
		    std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
			out += static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2]));
			i += 2;
		} else {
			out += text[i];
		}
	}
	return out;
}

//! A relative file path as the URI the log stores (readers decode it once).
std::string UriEncodePath(const std::string &path) {
	static constexpr char HEX[] = "0123456789ABCDEF";
	std::string out;
	for (unsigned char c : path) {
		if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '=' || c == '~') {
			out += static_cast<char>(c);
		} else {
			out += '%';
			out += HEX[c >> 4];
			out += HEX[c & 15];
		}
	}
	return out;
}

struct SourceColumn {
	std::string name;
	std::shared_ptr<const DataType> type;
};

std::vector<SourceColumn> DescribeSource(Connection &connection, const std::string &source_sql) {
	auto result = connection.Query("SELECT * FROM (" + source_sql + ") LIMIT 0");
	std::vector<SourceColumn> columns;
	std::set<std::string> seen;
	for (const auto &column : result.Columns()) {
		if (!seen.insert(column.name).second) {
			throw InvalidInputError("the source has two columns named " + column.name + ": name them apart");
		}
		columns.push_back({column.name, DataType::FromDuckDB(column.type.Describe(), column.name)});
	}
	while (result.Fetch()) {
	}
	if (columns.empty()) {
		throw InvalidInputError("the source has no columns");
	}
	return columns;
}

//! Decimal digits an integer type needs.
int IntegerDigits(const std::string &name) {
	return name == "byte" ? 3 : name == "short" ? 5 : name == "integer" ? 10 : name == "long" ? 19 : 0;
}

//! Whether every value of `source` fits `target` exactly, so the writer may cast (integers widen, float to
//! double, decimals to wider decimals).
bool WidensTo(const DataType &source, const DataType &target) {
	if (source.ToJson() == target.ToJson()) {
		return true;
	}
	if (source.kind != target.kind && target.kind != DataType::Kind::DECIMAL) {
		return false;
	}
	switch (source.kind) {
	case DataType::Kind::ARRAY:
		return WidensTo(*source.element, *target.element);
	case DataType::Kind::MAP:
		return WidensTo(*source.key, *target.key) && WidensTo(*source.value, *target.value);
	case DataType::Kind::STRUCT:
		if (source.fields.size() != target.fields.size()) {
			return false;
		}
		for (size_t i = 0; i < source.fields.size(); i++) {
			if (source.fields[i].name != target.fields[i].name ||
			    !WidensTo(*source.fields[i].type, *target.fields[i].type)) {
				return false;
			}
		}
		return true;
	default:
		break;
	}
	int source_digits = IntegerDigits(source.name);
	if (source_digits && IntegerDigits(target.name) >= source_digits) {
		return true;
	}
	if (target.name == "double" && (source.name == "float" || (source_digits && source_digits <= 10))) {
		return true;
	}
	if (target.kind == DataType::Kind::DECIMAL) {
		if (source_digits) {
			return target.precision - target.scale >= source_digits;
		}
		if (source.kind == DataType::Kind::DECIMAL) {
			return target.scale >= source.scale && target.precision - target.scale >= source.precision - source.scale;
		}
	}
	return false;
}

//! The table's schema after this write, checked against the source.
Schema TargetSchema(const std::optional<Schema> &existing, const std::vector<SourceColumn> &source,
                    const WriteOptions &options, const std::string &table) {
	if (!existing) {
		Schema schema;
		for (const auto &column : source) {
			schema.fields.push_back({column.name, column.type, true, std::nullopt, std::nullopt});
		}
		return schema;
	}
	Schema schema = *existing;
	for (const auto &column : source) {
		const auto *field = existing->Find(column.name);
		if (!field) {
			if (!options.merge_schema) {
				throw InvalidInputError("schema mismatch: column " + column.name + " is not in table " + table +
				                        " (write with schema merge to add it)");
			}
			schema.fields.push_back({column.name, column.type, true, std::nullopt, std::nullopt});
		} else if (!WidensTo(*column.type, *field->type)) {
			throw InvalidInputError("schema mismatch: column " + column.name + " is " + column.type->ToJson() +
			                        " in the source but " + field->type->ToJson() + " in table " + table);
		}
	}
	for (const auto &field : existing->fields) {
		bool present =
		    std::any_of(source.begin(), source.end(), [&](const SourceColumn &c) { return c.name == field.name; });
		if (!present && !field.nullable) {
			throw InvalidInputError("schema mismatch: the source lacks column " + field.name + ", which table " +
			                        table + " requires (NOT NULL)");
		}
	}
	return schema;
}

//! A partition column as the string Delta logs (NULL as the Hive marker, so directory names stay exact).
std::string PartitionExpression(const StructField &field) {
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
	return "CASE WHEN " + column + " IS NULL THEN " + QuoteLiteral(NULL_PARTITION) + " ELSE " + text + " END AS " +
	       column;
}

Protocol RequiredProtocol(const Schema &schema, const std::optional<Protocol> &existing) {
	bool ntz = std::any_of(schema.fields.begin(), schema.fields.end(),
	                       [](const StructField &f) { return f.type->UsesTimestampNtz(); });
	Protocol protocol = existing.value_or(Protocol{});
	if (!ntz) {
		return protocol;
	}
	if (protocol.min_reader_version >= 3 && protocol.reader_features &&
	    std::count(protocol.reader_features->begin(), protocol.reader_features->end(), "timestampNtz")) {
		return protocol;
	}
	// timestamp_ntz is a table feature: the lowest protocol that has table features.
	protocol.min_reader_version = 3;
	protocol.min_writer_version = 7;
	auto readers = protocol.reader_features.value_or(std::vector<std::string>{});
	auto writers = protocol.writer_features.value_or(std::vector<std::string>{});
	readers.push_back("timestampNtz");
	writers.push_back("timestampNtz");
	protocol.reader_features = readers;
	protocol.writer_features = writers;
	return protocol;
}

json ProtocolJson(const Protocol &protocol) {
	json body = {{"minReaderVersion", protocol.min_reader_version}, {"minWriterVersion", protocol.min_writer_version}};
	if (protocol.reader_features) {
		body["readerFeatures"] = *protocol.reader_features;
	}
	if (protocol.writer_features) {
		body["writerFeatures"] = *protocol.writer_features;
	}
	return json{{field::PROTOCOL, body}};
}

json MetadataJson(const Metadata &metadata) {
	json body = {{"id", metadata.id},
	             {"format", {{"provider", "parquet"}, {"options", json::object()}}},
	             {"schemaString", metadata.schema_string},
	             {"partitionColumns", metadata.partition_columns},
	             {"configuration", metadata.configuration}};
	if (metadata.name) {
		body["name"] = *metadata.name;
	}
	if (metadata.created_time) {
		body["createdTime"] = *metadata.created_time;
	}
	return json{{field::METADATA, body}};
}

//! A written file with what its add action needs.
struct WrittenFile {
	std::string relative_path; // on disk, relative to the table root
	PartitionValues partition_values;
	int64_t size = 0;
	int64_t records = 0;
	std::string stats;
};

//! numRecords, minValues, maxValues and nullCount of each file, from the parquet footers (no data pass).
void CollectStats(Connection &connection, const Schema &schema, const std::vector<std::string> &partitions,
                  std::vector<WrittenFile> &files, const fs::path &root) {
	std::string list;
	for (const auto &file : files) {
		list += (list.empty() ? "" : ", ") + QuoteLiteral((root / file.relative_path).string());
	}
	std::string mins, maxs, nulls;
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
		auto key = QuoteIdentifier(field.name);
		mins += (mins.empty() ? "" : ", ") + key + ": " + min;
		maxs += (maxs.empty() ? "" : ", ") + key + ": " + max;
		nulls += (nulls.empty() ? "" : ", ") + key + ": sum(CASE WHEN " + where + " THEN stats_null_count END)";
		names.push_back(field.name);
	}
	std::string select = "SELECT file_name, sum(CASE WHEN column_id = 0 THEN row_group_num_rows END)";
	if (!names.empty()) {
		select += ", {" + mins + "}, {" + maxs + "}, {" + nulls + "}";
	}
	auto result = connection.Query(select + " FROM parquet_metadata([" + list + "]) GROUP BY file_name");
	RowEncoder encoder(result.Columns());
	std::map<std::string, WrittenFile *> by_path;
	for (auto &file : files) {
		by_path[(root / file.relative_path).string()] = &file;
	}
	std::string text;
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
			json stats = {{"numRecords", file.records}};
			if (!names.empty()) {
				const char *keys[] = {"minValues", "maxValues", "nullCount"};
				for (int k = 0; k < 3; k++) {
					text.clear();
					JsonWriter writer(text);
					encoder.Columns()[2 + k]->WriteJson(writer, row);
					auto values = json::parse(text);
					json kept = json::object();
					for (auto &[key, value] : values.items()) {
						if (!value.is_null()) {
							kept[key] = value;
						}
					}
					stats[keys[k]] = kept;
				}
			}
			file.stats = stats.dump();
		}
	}
}

//! Moves staged files into the table (same file system: renames), returning them with their partition values.
std::vector<WrittenFile> PublishFiles(const fs::path &root, const fs::path &staging,
                                      const std::vector<std::string> &partitions) {
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
			auto key = PercentDecode(text.substr(0, equals));
			auto value = PercentDecode(text.substr(equals + 1));
			file.partition_values[key] = value == NULL_PARTITION ? std::nullopt : std::optional<std::string>(value);
		}
		for (const auto &name : partitions) {
			file.partition_values.try_emplace(name, std::nullopt);
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
	fs::remove(staging.parent_path(), error); // only when no other writer is staging
	return files;
}

std::optional<std::shared_ptr<const Snapshot>> LoadIfExists(Connection &connection, const fs::path &root) {
	std::error_code error;
	if (!fs::is_directory(root / "_delta_log", error)) {
		return std::nullopt;
	}
	bool has_commit = false;
	for (const auto &entry : fs::directory_iterator(root / "_delta_log", error)) {
		if (ParsedLogPath::Parse(entry.path().filename().string())) {
			has_commit = true;
			break;
		}
	}
	if (!has_commit) {
		return std::nullopt;
	}
	return Snapshot::Load(connection, root);
}

//! Writes a checkpoint when the committed version is a multiple of the table's interval. The commit is
//! already durable: a failed checkpoint only costs readers time, so it is reported, not thrown.
void MaybeCheckpoint(Connection &connection, const fs::path &table_root, int64_t version) {
	try {
		auto snapshot = Snapshot::Load(connection, table_root, {version, std::nullopt});
		if (version > 0 && version % CheckpointInterval(*snapshot) == 0) {
			WriteCheckpoint(connection, *snapshot);
		}
	} catch (const Error &e) {
		std::fprintf(stderr, "warning: version %lld committed, but its checkpoint failed: %s\n",
		             static_cast<long long>(version), e.what());
	}
}

} // namespace

WriteMode ParseWriteMode(const std::string &text) {
	if (text == "create" || text == "error") {
		return WriteMode::CREATE;
	}
	if (text == "append") {
		return WriteMode::APPEND;
	}
	if (text == "overwrite") {
		return WriteMode::OVERWRITE;
	}
	if (text == "ignore") {
		return WriteMode::IGNORE;
	}
	throw InvalidInputError("unknown write mode: " + text + " (expected create, append, overwrite or ignore)");
}

const char *WriteModeName(WriteMode mode) {
	switch (mode) {
	case WriteMode::CREATE:
		return "ErrorIfExists";
	case WriteMode::APPEND:
		return "Append";
	case WriteMode::OVERWRITE:
		return "Overwrite";
	case WriteMode::IGNORE:
		return "Ignore";
	}
	return "Append";
}

WriteResult WriteTable(Connection &connection, const fs::path &table_root, const std::string &source_sql,
                       const WriteOptions &options) {
	auto table = table_root.filename().string();
	if (options.compression != "zstd" && options.compression != "snappy") {
		throw InvalidInputError("unsupported compression " + options.compression + " (expected zstd or snappy)");
	}
	WriteResult result;
	auto existing = LoadIfExists(connection, table_root);
	// Decisions that need no data come first, so a refused write costs nothing.
	auto check_existing = [&](const std::shared_ptr<const Snapshot> &snapshot) -> bool {
		if (options.mode == WriteMode::CREATE) {
			throw AlreadyExistsError("Delta table already exists: " + table);
		}
		if (options.mode == WriteMode::IGNORE) {
			result.skipped = true;
			result.skip_reason = "table " + table + " exists (mode ignore)";
			return false;
		}
		if (options.transaction) {
			auto known = snapshot->Transactions().find(options.transaction->app_id);
			if (known != snapshot->Transactions().end() && known->second.version >= options.transaction->version) {
				result.skipped = true;
				result.skip_reason = "transaction " + options.transaction->app_id + " version " +
				                     std::to_string(options.transaction->version) + " is already applied";
				return false;
			}
		}
		const auto &partitions = snapshot->GetMetadata().partition_columns;
		if (!options.partition_by.empty() && options.partition_by != partitions) {
			throw InvalidInputError("table " + table +
			                        " is partitioned differently; its partition columns cannot change");
		}
		return true;
	};
	if (existing && !check_existing(*existing)) {
		return result;
	}
	auto source = DescribeSource(connection, source_sql);
	std::optional<Schema> existing_schema;
	if (existing) {
		existing_schema = (*existing)->GetSchema();
	}
	auto schema = TargetSchema(existing_schema, source, options, table);
	auto partitions = existing ? (*existing)->GetMetadata().partition_columns : options.partition_by;
	for (const auto &name : partitions) {
		if (!schema.Find(name)) {
			throw InvalidInputError("partition column " + name + " is not a column of the data");
		}
	}
	if (!partitions.empty() && partitions.size() == schema.fields.size()) {
		throw InvalidInputError("a table needs at least one column that is not a partition column");
	}

	// Stream the rows into parquet files in a staging folder, then move them into the table.
	std::string projection;
	for (const auto &field : schema.fields) {
		bool present =
		    std::any_of(source.begin(), source.end(), [&](const SourceColumn &c) { return c.name == field.name; });
		std::string expr;
		if (std::count(partitions.begin(), partitions.end(), field.name)) {
			expr = PartitionExpression(field);
		} else {
			expr = (present ? "CAST(" + QuoteIdentifier(field.name) + " AS " + field.type->ToDuckDB() + ")"
			                : "CAST(NULL AS " + field.type->ToDuckDB() + ")") +
			       " AS " + QuoteIdentifier(field.name);
		}
		projection += (projection.empty() ? "" : ", ") + expr;
	}
	auto staging = table_root / STAGING_DIR / RandomId();
	fs::create_directories(staging);
	std::string copy = "COPY (SELECT " + projection + " FROM (" + source_sql + ")) TO " +
	                   QuoteLiteral(staging.string()) + " (FORMAT parquet, COMPRESSION " + options.compression +
	                   ", FILENAME_PATTERN 'part-{uuid}'";
	if (partitions.empty()) {
		// DuckDB cannot roll files by size within partitions: partitioned writes get a file per partition.
		copy += ", FILE_SIZE_BYTES " + std::to_string(options.target_file_size);
	} else {
		std::string by;
		for (const auto &name : partitions) {
			by += (by.empty() ? "" : ", ") + QuoteIdentifier(name);
		}
		copy += ", PARTITION_BY (" + by + ")";
	}
	try {
		connection.Execute(copy + ")");
	} catch (...) {
		std::error_code error;
		fs::remove_all(staging, error);
		throw;
	}
	auto files = PublishFiles(table_root, staging, partitions);
	if (!files.empty()) {
		CollectStats(connection, schema, partitions, files, table_root);
	}
	for (const auto &file : files) {
		result.rows += static_cast<uint64_t>(file.records);
		result.bytes += static_cast<uint64_t>(file.size);
	}
	result.files = files.size();

	for (int attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			existing = LoadIfExists(connection, table_root);
			if (existing && !check_existing(*existing)) {
				return result; // the files written are unreferenced garbage
			}
			if (existing && (*existing)->GetMetadata().partition_columns != partitions) {
				throw ConflictError("concurrent write to Delta table " + table +
				                    ": another writer created it with different partition columns");
			}
			if (existing) {
				// The winner may have changed the schema: our files must still fit.
				auto now = (*existing)->GetSchema();
				schema = TargetSchema(now, source, options, table);
			}
		}
		int64_t now = NowMs();
		std::vector<json> actions;
		json parameters = {{"mode", WriteModeName(options.mode)}};
		if (!partitions.empty()) {
			parameters["partitionBy"] = json(partitions).dump();
		}
		bool overwrite = options.mode == WriteMode::OVERWRITE && existing;
		json info = {{"timestamp", now},
		             {"operation", options.operation},
		             {"operationParameters", parameters},
		             {"isBlindAppend", !overwrite},
		             {"engineInfo", ENGINE_INFO},
		             {"operationMetrics",
		              {{"numFiles", std::to_string(files.size())},
		               {"numOutputRows", std::to_string(result.rows)},
		               {"numOutputBytes", std::to_string(result.bytes)}}}};
		if (existing) {
			info["readVersion"] = (*existing)->Version();
		}
		actions.push_back({{field::COMMIT_INFO, info}});
		std::optional<Protocol> old_protocol;
		if (existing) {
			old_protocol = (*existing)->GetProtocol();
		}
		auto protocol = RequiredProtocol(schema, old_protocol);
		if (!existing || protocol.min_reader_version != old_protocol->min_reader_version ||
		    protocol.reader_features != old_protocol->reader_features) {
			actions.push_back(ProtocolJson(protocol));
		}
		auto schema_string = schema.ToJson();
		if (!existing || schema_string != Schema{(*existing)->GetSchema()}.ToJson()) {
			Metadata metadata;
			if (existing) {
				metadata = (*existing)->GetMetadata();
			} else {
				metadata.id = RandomId();
				metadata.created_time = now;
				metadata.partition_columns = partitions;
				metadata.configuration = options.configuration;
			}
			metadata.schema_string = schema_string;
			actions.push_back(MetadataJson(metadata));
		}
		if (options.transaction) {
			actions.push_back({{field::TXN,
			                    {{"appId", options.transaction->app_id},
			                     {"version", options.transaction->version},
			                     {"lastUpdated", now}}}});
		}
		if (overwrite) {
			for (const auto &add : (*existing)->Files()) {
				json remove = {{"path", UriEncodePath(add.path)},
				               {"deletionTimestamp", now},
				               {"dataChange", true},
				               {"extendedFileMetadata", true},
				               {"size", add.size}};
				json values = json::object();
				for (const auto &[key, value] : add.partition_values) {
					values[key] = value ? json(*value) : json(nullptr);
				}
				remove["partitionValues"] = values;
				actions.push_back({{field::REMOVE, remove}});
			}
		}
		for (const auto &file : files) {
			json values = json::object();
			for (const auto &[key, value] : file.partition_values) {
				values[key] = value ? json(*value) : json(nullptr);
			}
			actions.push_back({{field::ADD,
			                    {{"path", UriEncodePath(file.relative_path)},
			                     {"partitionValues", values},
			                     {"size", file.size},
			                     {"modificationTime", now},
			                     {"dataChange", true},
			                     {"stats", file.stats}}}});
		}
		std::string content;
		for (const auto &action : actions) {
			content += action.dump() + "\n";
		}
		int64_t version = existing ? (*existing)->Version() + 1 : 0;
		if (TryCommit(table_root / "_delta_log", version, content) == CommitResult::COMMITTED) {
			result.version = version;
			MaybeCheckpoint(connection, table_root, version);
			return result;
		}
		result.retries++;
		if (options.mode == WriteMode::OVERWRITE) {
			throw ConflictError("concurrent write to Delta table " + table + ": version " + std::to_string(version) +
			                    " was committed by another writer while this overwrite ran; retry the overwrite");
		}
	}
	throw ConflictError("could not commit to Delta table " + table + " after " + std::to_string(MAX_COMMIT_ATTEMPTS) +
	                    " attempts: too many concurrent writers");
}

} // namespace deltaduck::delta
