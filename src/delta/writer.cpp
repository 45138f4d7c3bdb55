#include "delta/writer.hpp"

#include "delta/table_features.hpp"

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/constraints.hpp"
#include "delta/data_files.hpp"
#include "delta/snapshot.hpp"
#include "delta/transaction.hpp"
#include "delta/typed_errors.hpp"
#include "engine/connection.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! Upper bound on lost commit races one append retries.
constexpr int MAX_COMMIT_ATTEMPTS = 1000;

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

//! A column the table declares NOT NULL (nullable: false, the invariant every writer must keep) may not receive a
//! NULL: the files' stats say whether one did. Refused before the commit; the files written are removed.
void RefuseNullsInRequiredColumns(const fs::path &table_root, const Schema &schema,
                                  const std::vector<WrittenFile> &files, const std::string &table) {
	for (const auto &field : schema.fields) {
		if (field.nullable) {
			continue;
		}
		for (const auto &file : files) {
			bool null_partition = file.partition_values.count(field.name) && !file.partition_values.at(field.name);
			auto stats = nlohmann::json::parse(file.stats, nullptr, false);
			const auto &counts =
			    stats.is_object() ? stats.value("nullCount", nlohmann::json::object()) : nlohmann::json::object();
			bool null_value =
			    counts.contains(field.name) && counts[field.name].is_number() && counts[field.name].get<int64_t>() > 0;
			if (null_partition || null_value) {
				for (const auto &written : files) {
					std::error_code ignored;
					fs::remove(table_root / written.relative_path, ignored);
				}
				throw InvalidInputError("column " + field.name + " of table " + table +
				                        " is NOT NULL, but the source has NULL values in it; nothing was written");
			}
		}
	}
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
	// timestamp_ntz is a table feature: the lowest protocol that has table features. What the legacy versions
	// implied becomes explicit features, so nothing the table had (appendOnly, invariants, ...) is dropped.
	auto readers = existing ? ReaderFeatures(protocol) : std::vector<std::string>{};
	auto writers = existing ? WriterFeatures(protocol) : std::vector<std::string>{};
	protocol.min_reader_version = 3;
	protocol.min_writer_version = 7;
	readers.push_back("timestampNtz");
	writers.push_back("timestampNtz");
	protocol.reader_features = readers;
	protocol.writer_features = writers;
	return protocol;
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

//! The actions of a write on top of `read` (null: a new table): protocol and metadata when they change, the
//! transaction id, an overwrite's removes and the new files' adds.
CommitPlan PlanWrite(const std::shared_ptr<const Snapshot> &read, const Schema &schema,
                     const std::vector<std::string> &partitions, const std::vector<WrittenFile> &files,
                     const WriteResult &result, const WriteOptions &options, int64_t now) {
	CommitPlan plan;
	json parameters = {{"mode", WriteModeName(options.mode)}};
	if (!partitions.empty()) {
		parameters["partitionBy"] = json(partitions).dump();
	}
	bool overwrite = options.mode == WriteMode::OVERWRITE && read;
	plan.info = {{"operationParameters", parameters},
	             {"isBlindAppend", !overwrite},
	             {"operationMetrics",
	              {{"numFiles", std::to_string(files.size())},
	               {"numOutputRows", std::to_string(result.rows)},
	               {"numOutputBytes", std::to_string(result.bytes)}}}};
	std::optional<Protocol> old_protocol;
	if (read) {
		old_protocol = read->GetProtocol();
	}
	auto protocol = RequiredProtocol(schema, old_protocol);
	if (!read || protocol.min_reader_version != old_protocol->min_reader_version ||
	    protocol.min_writer_version != old_protocol->min_writer_version ||
	    protocol.reader_features != old_protocol->reader_features ||
	    protocol.writer_features != old_protocol->writer_features) {
		plan.actions.push_back(ProtocolToJson(protocol));
	}
	auto schema_string = schema.ToJson();
	if (!read || schema_string != Schema{read->GetSchema()}.ToJson()) {
		Metadata metadata;
		if (read) {
			metadata = read->GetMetadata();
		} else {
			metadata.id = NewUuid();
			metadata.created_time = now;
			metadata.partition_columns = partitions;
			metadata.configuration = options.configuration;
		}
		metadata.schema_string = schema_string;
		plan.actions.push_back(MetadataToJson(metadata));
	}
	if (options.transaction) {
		auto transaction = *options.transaction;
		transaction.last_updated = now;
		plan.actions.push_back(SetTransactionToJson(transaction));
	}
	if (overwrite) {
		for (const auto &add : read->Files()) {
			plan.actions.push_back(RemoveToJson(RemoveOf(add, now, true)));
		}
	}
	for (const auto &file : files) {
		plan.actions.push_back(AddToJson(file.ToAdd(now, true)));
	}
	return plan;
}

WriteResult WriteTable(Connection &connection, const fs::path &table_root, const std::string &source_sql,
                       const WriteOptions &options) {
	return WithTypedErrors(table_root, [&]() -> WriteResult {
		auto table = table_root.filename().string();
		WriteResult result;
		auto existing = LoadLatestIfExists(connection, table_root);
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
			CheckWriteSupported(snapshot->GetProtocol(), snapshot->GetMetadata(), options.mode == WriteMode::OVERWRITE);
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
		if (existing && !check_existing(existing)) {
			return result;
		}
		auto constraints = existing ? TableConstraints(existing->GetMetadata()) : std::vector<Constraint>{};
		CheckConstraintsEvaluable(connection, existing, constraints);
		auto source = DescribeSource(connection, source_sql);
		std::optional<Schema> existing_schema;
		if (existing) {
			existing_schema = existing->GetSchema();
		}
		auto schema = TargetSchema(existing_schema, source, options, table);
		auto partitions = existing ? existing->GetMetadata().partition_columns : options.partition_by;
		for (const auto &name : partitions) {
			if (!schema.Find(name)) {
				throw InvalidInputError("partition column " + name + " is not a column of the data");
			}
		}
		if (!partitions.empty() && partitions.size() == schema.fields.size()) {
			throw InvalidInputError("a table needs at least one column that is not a partition column");
		}

		// Stream the rows into parquet files in a staging folder, then move them into the table. Under column
		// mapping the files name columns by their physical names (and carry their field ids), and so do the stats
		// and partition values.
		bool mapping = existing && existing->UsesColumnMapping();
		auto physical = mapping ? PhysicalSchema(schema, table) : schema;
		std::vector<std::string> physical_partitions;
		for (const auto &name : partitions) {
			physical_partitions.push_back(schema.Find(name)->PhysicalName(mapping));
		}
		DataFileOptions file_options;
		file_options.compression = options.compression;
		file_options.target_file_size = options.target_file_size;
		std::string projection;
		for (size_t i = 0; i < schema.fields.size(); i++) {
			const auto &field = schema.fields[i];
			bool present =
			    std::any_of(source.begin(), source.end(), [&](const SourceColumn &c) { return c.name == field.name; });
			auto value = present ? "CAST(" + QuoteIdentifier(field.name) + " AS " + field.type->ToDuckDB() + ")"
			                     : "CAST(NULL AS " + field.type->ToDuckDB() + ")";
			std::string expr;
			if (std::count(partitions.begin(), partitions.end(), field.name)) {
				expr = PartitionValueExpression(field, physical.fields[i].name);
			} else {
				expr = value + " AS " + QuoteIdentifier(physical.fields[i].name);
				if (mapping && field.field_id) {
					file_options.field_ids[physical.fields[i].name] = *field.field_id;
				}
			}
			projection += (projection.empty() ? "" : ", ") + expr;
		}
		auto files = WriteDataFiles(connection, table_root, "SELECT " + projection + " FROM (" + source_sql + ")",
		                            physical, physical_partitions, file_options);
		RefuseNullsInRequiredColumns(table_root, physical, files, table);
		RefuseRowsBreakingConstraints(connection, existing, constraints, files);
		for (const auto &file : files) {
			result.rows += static_cast<uint64_t>(file.records);
			result.bytes += static_cast<uint64_t>(file.size);
		}
		result.files = files.size();

		Transaction transaction(connection, table_root, options.operation, MAX_COMMIT_ATTEMPTS);
		auto plan = [&](const std::shared_ptr<const Snapshot> &read, int64_t now,
		                int attempt) -> std::optional<CommitPlan> {
			if (attempt > 0) {
				if (options.mode == WriteMode::OVERWRITE) {
					throw ConflictError("concurrent write to Delta table " + table +
					                    ": another writer committed while this overwrite ran; retry the overwrite");
				}
				if (read && !check_existing(read)) {
					return std::nullopt; // the files written are unreferenced garbage
				}
				if (read && TableConstraints(read->GetMetadata()) != constraints) {
					throw ConflictError("concurrent change to Delta table " + table +
					                    ": its constraints changed while this write ran; retry the write");
				}
				if (read && read->GetMetadata().partition_columns != partitions) {
					throw ConflictError("concurrent write to Delta table " + table +
					                    ": another writer created it with different partition columns");
				}
				if (read) {
					// The winner may have changed the schema: our files must still fit.
					schema = TargetSchema(read->GetSchema(), source, options, table);
				}
			}
			return PlanWrite(read, schema, partitions, files, result, options, now);
		};
		auto committed = transaction.Commit(existing, plan);
		result.version = committed.version;
		result.retries = committed.retries;
		return result;
	});
}

} // namespace deltaduck::delta
