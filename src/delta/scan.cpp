#include "delta/scan.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/deleted_rows.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <system_error>

namespace deltaduck::delta {

namespace fs = std::filesystem;

namespace {

//! Footer column names by data file. Delta data files never change once written (a rewrite gets a new name),
//! so what one scan read serves every later scan of the file: the dashboard plans the same tables on
//! every query.
class FooterColumnCache {
public:
	//! Files whose columns are not cached yet.
	std::vector<std::string> Missing(const std::vector<std::string> &paths) {
		std::lock_guard<std::mutex> lock(mutex_);
		std::vector<std::string> missing;
		for (const auto &path : paths) {
			if (!columns_.count(path)) {
				missing.push_back(path);
			}
		}
		return missing;
	}
	void Add(std::map<std::string, std::set<std::string>> read) {
		std::lock_guard<std::mutex> lock(mutex_);
		if (columns_.size() + read.size() > MAX_FILES) {
			columns_.clear(); // bounded: a table of more files than this just reads its footers again
		}
		columns_.merge(read);
	}
	std::map<std::string, std::set<std::string>> Get(const std::vector<std::string> &paths) {
		std::lock_guard<std::mutex> lock(mutex_);
		std::map<std::string, std::set<std::string>> found;
		for (const auto &path : paths) {
			auto it = columns_.find(path);
			if (it != columns_.end()) {
				found.emplace(path, it->second);
			}
		}
		return found;
	}

private:
	static constexpr size_t MAX_FILES = 200000;
	std::mutex mutex_;
	std::map<std::string, std::set<std::string>> columns_;
};

FooterColumnCache &FooterColumns() {
	static FooterColumnCache cache;
	return cache;
}

//! The top-level column names of each parquet file, read from the footers in one pass.
std::map<std::string, std::set<std::string>> ReadTopLevelColumns(Connection &connection,
                                                                 const std::vector<std::string> &paths) {
	std::map<std::string, std::set<std::string>> columns;
	// parquet_schema lists each file's schema tree depth first; a node's num_children says how many of the
	// following nodes (recursively) hang below it, so depth can be rebuilt with a stack.
	auto rows = connection.QueryText("SELECT file_name, name, coalesce(num_children, 0) FROM parquet_schema(" +
	                                 QuoteList(paths) + ")");
	std::string current;
	std::vector<int64_t> remaining;
	for (const auto &row : rows) {
		if (row[0] != current) {
			current = row[0];
			remaining.clear();
			remaining.push_back(std::stoll(row[2])); // the root
			columns[current];
			continue;
		}
		while (!remaining.empty() && remaining.back() == 0) {
			remaining.pop_back();
		}
		if (remaining.empty()) {
			continue;
		}
		if (remaining.size() == 1) {
			columns[current].insert(row[1]);
		}
		remaining.back()--;
		auto children = std::stoll(row[2]);
		if (children > 0) {
			remaining.push_back(children);
		}
	}
	return columns;
}

//! The top-level column names of each parquet file, from the cache or the footers.
std::map<std::string, std::set<std::string>> TopLevelColumns(Connection &connection,
                                                             const std::vector<std::string> &paths) {
	auto missing = FooterColumns().Missing(paths);
	if (!missing.empty()) {
		FooterColumns().Add(ReadTopLevelColumns(connection, missing));
	}
	auto found = FooterColumns().Get(paths);
	if (found.size() < std::set<std::string>(paths.begin(), paths.end()).size()) {
		return ReadTopLevelColumns(connection, paths); // the bounded cache was just cleared
	}
	return found;
}

bool NeedsRenaming(const DataType &type, bool column_mapping) {
	if (!column_mapping) {
		return false;
	}
	switch (type.kind) {
	case DataType::Kind::STRUCT:
		return true;
	case DataType::Kind::ARRAY:
		return NeedsRenaming(*type.element, column_mapping);
	case DataType::Kind::MAP:
		return NeedsRenaming(*type.key, column_mapping) || NeedsRenaming(*type.value, column_mapping);
	default:
		return false;
	}
}

//! Reads `expr` (a column as stored) as the Delta type: a cast, or under column mapping a rebuild of nested
//! structs from their physical field names.
std::string ConvertExpression(const std::string &expr, const DataType &type, bool column_mapping, int depth = 0) {
	if (!NeedsRenaming(type, column_mapping)) {
		return "CAST(" + expr + " AS " + type.ToDuckDB() + ")";
	}
	auto variable = "x" + std::to_string(depth);
	switch (type.kind) {
	case DataType::Kind::STRUCT: {
		std::string pack;
		for (const auto &field : type.fields) {
			pack += (pack.empty() ? "" : ", ") + QuoteIdentifier(field.name) + " := " +
			        ConvertExpression("struct_extract(" + expr + ", " + QuoteLiteral(field.PhysicalName(true)) + ")",
			                          *field.type, column_mapping, depth + 1);
		}
		return "CASE WHEN " + expr + " IS NULL THEN NULL ELSE struct_pack(" + pack + ") END";
	}
	case DataType::Kind::ARRAY:
		return "list_transform(" + expr + ", lambda " + variable + ": " +
		       ConvertExpression(variable, *type.element, column_mapping, depth + 1) + ")";
	case DataType::Kind::MAP:
		return "map_from_entries(list_transform(map_entries(" + expr + "), lambda " + variable +
		       ": {'key': " + ConvertExpression(variable + ".key", *type.key, column_mapping, depth + 1) +
		       ", 'value': " + ConvertExpression(variable + ".value", *type.value, column_mapping, depth + 1) + "}))";
	default:
		return "CAST(" + expr + " AS " + type.ToDuckDB() + ")";
	}
}

//! A partition value as a typed SQL literal; the empty string and a missing value are NULL.
std::string PartitionLiteral(const std::optional<std::string> &value, const DataType &type) {
	if (!value || value->empty()) {
		return "CAST(NULL AS " + type.ToDuckDB() + ")";
	}
	return "CAST(" + QuoteLiteral(*value) + " AS " + type.ToDuckDB() + ")";
}

const std::optional<std::string> *FindPartitionValue(const Add &add, const StructField &field, bool column_mapping) {
	// Under column mapping partition values are keyed by physical name.
	auto it = add.partition_values.find(field.PhysicalName(column_mapping));
	if (it == add.partition_values.end()) {
		it = add.partition_values.find(field.name);
	}
	return it == add.partition_values.end() ? nullptr : &it->second;
}

//! The stats keep-condition of one comparison on a data column: false only when the stats prove no row
//! of the file can match.
std::string StatsCondition(const Comparison &comparison, const StructField &field, bool column_mapping) {
	const auto &type = *field.type;
	auto physical = field.PhysicalName(column_mapping);
	if (type.kind == DataType::Kind::STRUCT || type.kind == DataType::Kind::ARRAY || type.kind == DataType::Kind::MAP ||
	    type.name == "binary" || type.name == "boolean" || physical.find_first_of("\"\\") != std::string::npos) {
		return "true";
	}
	auto duck = type.ToDuckDB();
	auto stat = [&](const char *which) {
		return "json_extract_string(stats, " + QuoteLiteral(std::string("$.") + which + ".\"" + physical + "\"") + ")";
	};
	auto min = "TRY_CAST(" + stat("minValues") + " AS " + duck + ")";
	std::string max = "TRY_CAST(" + stat("maxValues") + " AS " + duck + ")";
	if (type.name == "string") {
		// Writers may truncate string maxima (the protocol allows it): a long max is no upper bound.
		max = "CASE WHEN length(" + stat("maxValues") + ") >= 32 THEN NULL ELSE " + max + " END";
	} else if (type.name == "timestamp" || type.name == "timestamp_ntz") {
		// Spark writes timestamp stats truncated to milliseconds.
		max = "(" + max + " + INTERVAL 1 MILLISECOND)";
	}
	auto nulls = "TRY_CAST(" + stat("nullCount") + " AS BIGINT)";
	auto records = "TRY_CAST(json_extract_string(stats, '$.numRecords') AS BIGINT)";
	auto literal = [&](size_t i) { return comparison.Literal(i, duck); };
	std::string condition;
	switch (comparison.op) {
	case Comparison::Op::EQ:
		condition = min + " <= " + literal(0) + " AND " + max + " >= " + literal(0);
		break;
	case Comparison::Op::NE:
		return "true";
	case Comparison::Op::LT:
		condition = min + " < " + literal(0);
		break;
	case Comparison::Op::LE:
		condition = min + " <= " + literal(0);
		break;
	case Comparison::Op::GT:
		condition = max + " > " + literal(0);
		break;
	case Comparison::Op::GE:
		condition = max + " >= " + literal(0);
		break;
	case Comparison::Op::BETWEEN:
		condition = max + " >= " + literal(0) + " AND " + min + " <= " + literal(1);
		break;
	case Comparison::Op::IN:
		for (size_t i = 0; i < comparison.values.size(); i++) {
			condition += (i ? " OR " : "") + std::string("coalesce(") + min + " <= " + literal(i) + " AND " + max +
			             " >= " + literal(i) + ", true)";
		}
		return "(" + condition + ")";
	case Comparison::Op::IS_NULL:
		return "coalesce(" + nulls + " > 0, true)";
	case Comparison::Op::IS_NOT_NULL:
		return "coalesce(" + nulls + " < " + records + ", true)";
	}
	// Each bound alone may be unknown (NULL): unknown keeps the file.
	return "coalesce(" + condition + ", true)";
}

//! Indexes (into `files`) of the files a filter cannot rule out, decided by DuckDB over the logged
//! partition values and stats.
std::vector<size_t> PruneFiles(Connection &connection, const Snapshot &snapshot, const std::vector<const Add *> &files,
                               const Predicate &filter) {
	const auto &schema = snapshot.GetSchema();
	bool mapping = snapshot.UsesColumnMapping();
	const auto &partitions = snapshot.GetMetadata().partition_columns;
	std::string keep;
	for (const auto &comparison : filter.conjuncts) {
		const auto *field = schema.Find(comparison.column);
		if (!field) {
			throw InvalidInputError("unknown column in filter: " + comparison.column);
		}
		std::string condition;
		if (std::find(partitions.begin(), partitions.end(), field->name) != partitions.end()) {
			Predicate single{{comparison}};
			// Partition values live in one struct column, so no column name can collide with idx or stats.
			condition = "coalesce(" + single.ToSql(schema, "f.pv.") + ", false)";
		} else {
			condition = StatsCondition(comparison, *field, mapping);
		}
		keep += (keep.empty() ? "" : " AND ") + condition;
	}
	// One row per file: its index, stats and typed partition values.
	std::string rows;
	for (size_t i = 0; i < files.size(); i++) {
		std::string row = "(" + std::to_string(i) + ", " +
		                  (files[i]->stats ? QuoteLiteral(*files[i]->stats) : std::string("NULL")) + ", {";
		bool first = true;
		for (const auto &name : partitions) {
			const auto *field = schema.Find(name);
			if (!field) {
				continue;
			}
			const auto *value = FindPartitionValue(*files[i], *field, mapping);
			row += (first ? "" : ", ") + QuoteLiteral(field->name) + ": " +
			       PartitionLiteral(value ? *value : std::nullopt, *field->type);
			first = false;
		}
		if (first) {
			row += "'_': NULL";
		}
		rows += (i ? ", " : "") + row + "})";
	}
	auto result =
	    connection.QueryText("SELECT idx FROM (VALUES " + rows + ") f(idx, stats, pv) WHERE " + keep + " ORDER BY idx");
	std::vector<size_t> kept;
	for (const auto &row : result) {
		kept.push_back(std::stoull(row[0]));
	}
	return kept;
}

} // namespace

Scan Scan::Plan(Connection &connection, std::shared_ptr<const Snapshot> snapshot,
                const std::optional<Predicate> &filter) {
	Scan scan;
	scan.snapshot_ = snapshot;
	std::vector<const Add *> live;
	for (const auto &add : snapshot->Files()) {
		live.push_back(&add);
	}
	if (filter && !live.empty()) {
		for (auto index : PruneFiles(connection, *snapshot, live, *filter)) {
			scan.files_.push_back(live[index]);
		}
		scan.skipped_files_ = live.size() - scan.files_.size();
	} else {
		scan.files_ = live;
	}

	scan.Build(connection, filter);
	return scan;
}

Scan Scan::PlanFiles(Connection &connection, std::shared_ptr<const Snapshot> snapshot, std::vector<const Add *> files) {
	Scan scan;
	scan.snapshot_ = std::move(snapshot);
	scan.files_ = std::move(files);
	scan.Build(connection, std::nullopt);
	return scan;
}

void Scan::Build(Connection &connection, const std::optional<Predicate> &filter) {
	auto &scan = *this;
	const auto &snapshot = snapshot_;
	std::vector<std::string> paths;
	for (const auto *add : scan.files_) {
		auto path = snapshot->ResolvePath(add->path);
		std::error_code error;
		if (!fs::is_regular_file(path, error)) {
			throw NotFoundError("data file missing: " + path.string() + " (listed in the Delta log of " +
			                    snapshot->TableRoot().string() + " at version " + std::to_string(snapshot->Version()) +
			                    ")");
		}
		paths.push_back(path.string());
	}

	// The schema is needed only from here on: a missing data file is reported first.
	const auto &schema = snapshot->GetSchema();
	const auto &partitions = snapshot->GetMetadata().partition_columns;
	bool mapping = snapshot->UsesColumnMapping();
	auto is_partition = [&](const StructField &field) {
		return std::find(partitions.begin(), partitions.end(), field.name) != partitions.end();
	};
	if (scan.files_.empty()) {
		std::string select;
		for (const auto &field : schema.fields) {
			select += (select.empty() ? "" : ", ") + std::string("CAST(NULL AS ") + field.type->ToDuckDB() + ") AS " +
			          QuoteIdentifier(field.name);
		}
		scan.sql_ = "SELECT " + select + " WHERE false";
		return;
	}

	auto columns = TopLevelColumns(connection, paths);
	const auto &reader_features = snapshot->GetProtocol().reader_features;
	bool widened = reader_features && std::any_of(reader_features->begin(), reader_features->end(), [](const auto &f) {
		               return f == "typeWidening" || f == "typeWidening-preview";
	               });
	// Files sharing partition values (and without deletion vectors) are read by one read_parquet call.
	std::map<std::string, std::vector<size_t>> groups;
	for (size_t i = 0; i < scan.files_.size(); i++) {
		const auto *add = scan.files_[i];
		std::string key = add->deletion_vector ? "dv:" + std::to_string(i) : "";
		for (const auto &field : schema.fields) {
			if (is_partition(field)) {
				const auto *value = FindPartitionValue(*add, field, mapping);
				key += '\x1f' + (value && *value ? **value : std::string("\x1e"));
			}
		}
		groups[key].push_back(i);
	}

	std::string sql;
	for (const auto &[key, members] : groups) {
		std::vector<std::string> group_paths;
		std::set<std::string> present;
		bool uniform = true;
		for (auto index : members) {
			group_paths.push_back(paths[index]);
			const auto &file_columns = columns[paths[index]];
			uniform = uniform && file_columns == columns[paths[members.front()]];
			present.insert(file_columns.begin(), file_columns.end());
		}
		const auto *first = scan.files_[members.front()];
		std::string select;
		for (const auto &field : schema.fields) {
			std::string expr;
			if (is_partition(field)) {
				const auto *value = FindPartitionValue(*first, field, mapping);
				expr = PartitionLiteral(value ? *value : std::nullopt, *field.type);
			} else if (present.count(field.PhysicalName(mapping))) {
				expr = ConvertExpression(QuoteIdentifier(field.PhysicalName(mapping)), *field.type, mapping);
				if (widened) {
					expr = "CAST(" + expr + " AS " + field.type->ToDuckDB() + ")";
				}
			} else {
				expr = "CAST(NULL AS " + field.type->ToDuckDB() + ")";
			}
			select += (select.empty() ? "" : ", ") + expr + " AS " + QuoteIdentifier(field.name);
		}
		std::string source = "read_parquet(" + QuoteList(group_paths);
		// With widened types, files of one group may store a column as int and as long: union_by_name reads
		// each file by its own footer instead of forcing the first file's types on the others.
		if (!uniform || widened) {
			source += ", union_by_name = true";
		}
		std::string where;
		if (first->deletion_vector && first->deletion_vector->cardinality > 0) {
			source += ", file_row_number = true";
			where = " WHERE NOT " + std::string(DELETED_ROWS_FUNCTION) + "(" +
			        QuoteLiteral(RegisterDeletedRows(connection, snapshot->TableRoot(), *first->deletion_vector)) +
			        ", file_row_number)";
		}
		sql += (sql.empty() ? "" : " UNION ALL ") + std::string("SELECT ") + select + " FROM " + source + ")" + where;
	}
	if (filter) {
		sql = "SELECT * FROM (" + sql + ") WHERE " + filter->ToSql(schema);
	}
	scan.sql_ = sql;
}

} // namespace deltaduck::delta
