#include "delta/writer.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/log_path.hpp"
#include "delta/scan.hpp"
#include "delta/snapshot.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace deltaduck {

using namespace delta;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! The per-write staging folders (`_deltaduck_staging_<id>`) under a table.
std::vector<fs::path> StagingFolders(const fs::path &root) {
	std::vector<fs::path> folders;
	std::error_code error;
	for (const auto &entry : fs::directory_iterator(root, error)) {
		if (entry.path().filename().string().rfind("_deltaduck_staging", 0) == 0) {
			folders.push_back(entry.path());
		}
	}
	return folders;
}

//! Whether a write has files in a staging folder right now.
bool StagingInProgress(const fs::path &root) {
	for (const auto &folder : StagingFolders(root)) {
		std::error_code error;
		for (const auto &entry : fs::recursive_directory_iterator(folder, error)) {
			if (entry.is_regular_file(error)) {
				return true;
			}
		}
	}
	return false;
}

WriteOptions Mode(WriteMode mode) {
	WriteOptions options;
	options.mode = mode;
	return options;
}

//! The one value of a one-row, one-column query, as JSON text.
std::string QueryValue(Connection &connection, const std::string &sql) {
	auto rows = QueryJsonRows(connection, sql);
	auto row = json::parse(rows);
	EXPECT_EQ(row.size(), 1u) << sql;
	return row.empty() ? "" : row[0].dump();
}

//! The table's rows at `spec` as JSON arrays, read with Snapshot + Scan, ordered by `order_by`.
std::string TableRows(Connection &connection, const fs::path &root, const std::string &order_by,
                      const VersionSpec &spec = {}) {
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, root, spec));
	return QueryJsonRows(connection, "SELECT * FROM (" + scan.Sql() + ") ORDER BY " + order_by);
}

//! One query over the table's rows (as `t`) at the latest version.
std::string QueryTable(Connection &connection, const fs::path &root, const std::string &select_from_t) {
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, root));
	return QueryJsonRows(connection, "WITH t AS (" + scan.Sql() + ") " + select_from_t);
}

//! "name TYPE" of each column the table reads as.
std::string TableColumns(Connection &connection, const fs::path &root) {
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, root));
	auto result = connection.Query(scan.Sql());
	std::string out;
	for (const auto &column : result.Columns()) {
		out += (out.empty() ? "" : ", ") + column.name + " " + column.type.ToString();
	}
	return out;
}

//! The bodies of the actions of one kind in a commit.
std::vector<json> ActionsOf(const std::vector<json> &actions, const std::string &kind) {
	std::vector<json> out;
	for (const auto &action : actions) {
		if (action.contains(kind)) {
			out.push_back(action[kind]);
		}
	}
	return out;
}

//! Every .parquet file below the table root (relative paths), staging included.
std::set<std::string> ParquetFilesOnDisk(const fs::path &root) {
	std::set<std::string> files;
	for (const auto &entry : fs::recursive_directory_iterator(root)) {
		if (entry.is_regular_file() && entry.path().extension() == ".parquet") {
			files.insert(fs::relative(entry.path(), root).string());
		}
	}
	return files;
}

//! The relative paths of the live files of the latest snapshot.
std::set<std::string> LiveFiles(Connection &connection, const fs::path &root) {
	std::set<std::string> files;
	auto snapshot = Snapshot::Load(connection, root);
	for (const auto &add : snapshot->Files()) {
		files.insert(add.path);
	}
	return files;
}

//! A stats value as a SQL literal of `duckdb_type`.
std::string StatsLiteral(const json &value, const std::string &duckdb_type) {
	auto text = value.is_string() ? value.get<std::string>() : value.dump();
	return "CAST(" + QuoteLiteral(text) + " AS " + duckdb_type + ")";
}

//! Checks an add's stats against the rows of its file: numRecords and nullCount exactly, minValues and
//! maxValues equal to the true extremes (strings: the minimum may be a prefix, the maximum may be absent),
//! and a null count for every non-partition primitive column.
void ExpectStatsMatchFile(Connection &connection, const Snapshot &snapshot, const Add &add) {
	SCOPED_TRACE(add.path);
	ASSERT_TRUE(add.stats.has_value());
	auto stats = json::parse(*add.stats);
	auto file = QuoteLiteral(snapshot.ResolvePath(add.path).string());
	auto count = QueryValue(connection, "SELECT count(*) FROM read_parquet(" + file + ")");
	EXPECT_EQ(stats["numRecords"].dump(), count);
	const auto &partitions = snapshot.GetMetadata().partition_columns;
	for (const auto &field : snapshot.GetSchema().fields) {
		const auto &type = *field.type;
		if (std::count(partitions.begin(), partitions.end(), field.name) || type.kind == DataType::Kind::STRUCT ||
		    type.kind == DataType::Kind::ARRAY || type.kind == DataType::Kind::MAP || type.name == "binary") {
			continue;
		}
		SCOPED_TRACE(field.name);
		auto column = QuoteIdentifier(field.name);
		auto duck = type.ToDuckDB();
		auto from = " FROM read_parquet(" + file + ")";
		ASSERT_TRUE(stats.contains("nullCount") && stats["nullCount"].contains(field.name)) << *add.stats;
		EXPECT_EQ(stats["nullCount"][field.name].dump(),
		          QueryValue(connection, "SELECT count(*) - count(" + column + ")" + from));
		// Data skipping relies on these: no row may lie outside [min, max].
		if (stats["minValues"].contains(field.name)) {
			auto min = StatsLiteral(stats["minValues"][field.name], duck);
			EXPECT_EQ(QueryValue(connection, "SELECT count(*)" + from + " WHERE " + column + " < " + min), "0")
			    << *add.stats;
			if (type.name == "string") {
				EXPECT_EQ(QueryValue(connection, "SELECT starts_with(min(" + column + "), " + min + ")" + from), "true")
				    << *add.stats;
			} else {
				EXPECT_EQ(QueryValue(connection, "SELECT min(" + column + ") = " + min + from), "true") << *add.stats;
			}
		} else if (type.name != "string") {
			// Only files whose column is all NULL (or holds NaN) may lack a minimum.
			EXPECT_EQ(QueryValue(connection, "SELECT count(" + column + ") = 0 OR bool_or(isnan(TRY_CAST(" + column +
			                                     " AS DOUBLE)))" + from),
			          "true")
			    << *add.stats;
		}
		if (stats["maxValues"].contains(field.name)) {
			auto max = StatsLiteral(stats["maxValues"][field.name], duck);
			EXPECT_EQ(QueryValue(connection, "SELECT count(*)" + from + " WHERE " + column + " > " + max), "0")
			    << *add.stats;
			EXPECT_EQ(QueryValue(connection, "SELECT max(" + column + ") = " + max + from), "true") << *add.stats;
		}
	}
}

} // namespace

TEST(Writer, CreateWritesVersionZero) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto result =
	    WriteTable(connection, root, "SELECT i AS id, 'n' || i AS name FROM range(100) t(i)", Mode(WriteMode::CREATE));
	EXPECT_EQ(result.version, 0);
	EXPECT_FALSE(result.skipped);
	EXPECT_EQ(result.rows, 100u);
	EXPECT_GE(result.files, 1u);
	EXPECT_GT(result.bytes, 0u);
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});
	EXPECT_EQ(TableColumns(connection, root), "id BIGINT, name VARCHAR");
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*), count(DISTINCT id), min(id), max(id), sum(id) FROM t"),
	          "[100,100,0,99,4950]");
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*) FROM t WHERE name <> 'n' || id"), "[0]");
	EXPECT_EQ(TableRows(connection, root, "id LIMIT 2"), "[0,\"n0\"]\n[1,\"n1\"]");
	auto snapshot = Snapshot::Load(connection, root);
	EXPECT_EQ(snapshot->Files().size(), result.files);
}

TEST(Writer, CreateFailsOnAnExistingTableWithoutANewVersion) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root, "SELECT i AS id FROM range(10) t(i)", Mode(WriteMode::CREATE));
	auto files_before = ParquetFilesOnDisk(root);
	EXPECT_THROW(WriteTable(connection, root, "SELECT i AS id FROM range(5) t(i)", Mode(WriteMode::CREATE)),
	             AlreadyExistsError);
	// `error` is delta-rs's name for create.
	EXPECT_THROW(WriteTable(connection, root, "SELECT i AS id FROM range(5) t(i)", Mode(ParseWriteMode("error"))),
	             AlreadyExistsError);
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});
	EXPECT_EQ(ParquetFilesOnDisk(root), files_before); // refused before any data was written
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*) FROM t"), "[10]");
}

TEST(Writer, AppendAddsRowsInANewVersion) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root, "SELECT i AS id, 'n' || i AS name FROM range(100) t(i)", Mode(WriteMode::CREATE));
	auto result = WriteTable(connection, root, "SELECT i AS id, 'n' || i AS name FROM range(100, 150) t(i)",
	                         Mode(WriteMode::APPEND));
	EXPECT_EQ(result.version, 1);
	EXPECT_EQ(result.rows, 50u);
	EXPECT_EQ(CommitVersions(root), (std::vector<int64_t>{0, 1}));
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM t"),
	          "[150,150,0,149]");
	// Version 0 still has only the first rows.
	EXPECT_EQ(TableRows(connection, root, "id DESC LIMIT 1", AtVersion(0)), "[99,\"n99\"]");
	auto commit = ReadCommit(root, 1);
	EXPECT_TRUE(ActionsOf(commit, "remove").empty());
	EXPECT_TRUE(ActionsOf(commit, "metaData").empty()); // the schema did not change
	EXPECT_TRUE(ActionsOf(commit, "protocol").empty());
}

TEST(Writer, AppendToAMissingTableCreatesIt) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "new_table";
	auto result = WriteTable(connection, root, "SELECT i AS id FROM range(7) t(i)", Mode(WriteMode::APPEND));
	EXPECT_EQ(result.version, 0);
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*), sum(id) FROM t"), "[7,21]");
	auto commit = ReadCommit(root, 0);
	EXPECT_EQ(ActionsOf(commit, "protocol").size(), 1u);
	EXPECT_EQ(ActionsOf(commit, "metaData").size(), 1u);
}

TEST(Writer, AppendCastsToTheTableSchemaWhateverTheColumnOrder) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root, "SELECT 1::BIGINT AS id, 'a' AS name, 1.5::DOUBLE AS x", Mode(WriteMode::CREATE));
	// Other column order, a narrower integer and float, a missing nullable column.
	auto result = WriteTable(connection, root, "SELECT 'b' AS name, 2::INTEGER AS id", Mode(WriteMode::APPEND));
	EXPECT_EQ(result.version, 1);
	WriteTable(connection, root, "SELECT 2.5::FLOAT AS x, 3::TINYINT AS id, 'c' AS name", Mode(WriteMode::APPEND));
	EXPECT_EQ(TableColumns(connection, root), "id BIGINT, name VARCHAR, x DOUBLE");
	EXPECT_EQ(TableRows(connection, root, "id"), "[1,\"a\",1.5]\n[2,\"b\",null]\n[3,\"c\",2.5]");
	// A wider type does not fit.
	EXPECT_THROW(WriteTable(connection, root, "SELECT 4.5::DOUBLE AS id", Mode(WriteMode::APPEND)), InvalidInputError);
	EXPECT_EQ(CommitVersions(root), (std::vector<int64_t>{0, 1, 2}));
}

TEST(Writer, OverwriteReplacesRowsAndKeepsOlderVersionsReadable) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root, "SELECT i AS id, 'old' AS tag FROM range(100) t(i)", Mode(WriteMode::CREATE));
	auto old_files = LiveFiles(connection, root);
	auto result = WriteTable(connection, root, "SELECT i AS id, 'new' AS tag FROM range(1000, 1010) t(i)",
	                         Mode(WriteMode::OVERWRITE));
	EXPECT_EQ(result.version, 1);
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*), min(id), max(id), list(DISTINCT tag) FROM t"),
	          "[10,1000,1009,[\"new\"]]");
	EXPECT_EQ(TableRows(connection, root, "id DESC LIMIT 1", AtVersion(0)), "[99,\"old\"]");
	auto v0 = Scan::Plan(connection, Snapshot::Load(connection, root, AtVersion(0)));
	EXPECT_EQ(QueryValue(connection, "SELECT count(*) FROM (" + v0.Sql() + ")"), "100");
	// Version 1 removes exactly the old files and adds only new ones.
	auto commit = ReadCommit(root, 1);
	std::set<std::string> removed;
	for (const auto &remove : ActionsOf(commit, "remove")) {
		removed.insert(DecodeUriPath(remove["path"].get<std::string>()));
		EXPECT_TRUE(remove["dataChange"].get<bool>());
	}
	EXPECT_EQ(removed, old_files);
	auto new_files = LiveFiles(connection, root);
	for (const auto &file : new_files) {
		EXPECT_EQ(old_files.count(file), 0u) << file;
	}
	// An overwrite of a missing table creates it.
	auto other = dir.Path() / "other";
	EXPECT_EQ(WriteTable(connection, other, "SELECT 1 AS id", Mode(WriteMode::OVERWRITE)).version, 0);
	EXPECT_EQ(QueryTable(connection, other, "SELECT count(*) FROM t"), "[1]");
}

TEST(Writer, IgnoreSkipsAnExistingTableAndCreatesAMissingOne) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto first = WriteTable(connection, root, "SELECT i AS id FROM range(3) t(i)", Mode(WriteMode::IGNORE));
	EXPECT_EQ(first.version, 0);
	EXPECT_FALSE(first.skipped);
	auto files_before = ParquetFilesOnDisk(root);
	auto second = WriteTable(connection, root, "SELECT i AS id FROM range(50) t(i)", Mode(WriteMode::IGNORE));
	EXPECT_TRUE(second.skipped);
	EXPECT_EQ(second.version, -1);
	EXPECT_EQ(second.rows, 0u);
	EXPECT_NE(second.skip_reason.find("ignore"), std::string::npos) << second.skip_reason;
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});
	EXPECT_EQ(ParquetFilesOnDisk(root), files_before);
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*) FROM t"), "[3]");
}

TEST(Writer, ParseWriteModeAcceptsTheDocumentedNames) {
	EXPECT_EQ(ParseWriteMode("create"), WriteMode::CREATE);
	EXPECT_EQ(ParseWriteMode("error"), WriteMode::CREATE);
	EXPECT_EQ(ParseWriteMode("append"), WriteMode::APPEND);
	EXPECT_EQ(ParseWriteMode("overwrite"), WriteMode::OVERWRITE);
	EXPECT_EQ(ParseWriteMode("ignore"), WriteMode::IGNORE);
	EXPECT_THROW(ParseWriteMode("upsert"), InvalidInputError);
	EXPECT_STREQ(WriteModeName(WriteMode::CREATE), "ErrorIfExists");
	EXPECT_STREQ(WriteModeName(WriteMode::OVERWRITE), "Overwrite");
}

TEST(Writer, PartitionValuesReadBackTyped) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.partition_by = {"year", "day", "ok"};
	auto result = WriteTable(connection, root,
	                         "SELECT i AS id, (2020 + i % 3)::INTEGER AS year, DATE '2024-02-28' + (i % 2)::INTEGER AS "
	                         "day, i % 2 = 0 AS ok, (i * 0.5)::DECIMAL(6,2) AS amount FROM range(12) t(i)",
	                         options);
	EXPECT_EQ(result.version, 0);
	EXPECT_EQ(result.rows, 12u);
	EXPECT_EQ(result.files, 6u); // one per (year, day, ok): day and ok both follow i % 2
	EXPECT_EQ(TableColumns(connection, root), "id BIGINT, year INTEGER, day DATE, ok BOOLEAN, amount DECIMAL(6,2)");
	EXPECT_EQ(TableRows(connection, root, "id LIMIT 4"), "[0,2020,\"2024-02-28\",true,0.00]\n"
	                                                     "[1,2021,\"2024-02-29\",false,0.50]\n"
	                                                     "[2,2022,\"2024-02-28\",true,1.00]\n"
	                                                     "[3,2020,\"2024-02-29\",false,1.50]");
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*) FROM t WHERE year = 2020 + id % 3 AND ok = (id % 2 = 0)"),
	          "[12]");
	auto snapshot = Snapshot::Load(connection, root);
	EXPECT_EQ(snapshot->GetMetadata().partition_columns, (std::vector<std::string>{"year", "day", "ok"}));
	for (const auto &add : snapshot->Files()) {
		ASSERT_EQ(add.partition_values.size(), 3u) << add.path;
		auto year = *add.partition_values.at("year");
		auto day = *add.partition_values.at("day");
		auto ok = *add.partition_values.at("ok");
		EXPECT_TRUE(year == "2020" || year == "2021" || year == "2022") << year;
		EXPECT_TRUE(day == "2024-02-28" || day == "2024-02-29") << day;
		EXPECT_TRUE(ok == "true" || ok == "false") << ok;
		// Hive-style directories; the data files hold only the other columns.
		EXPECT_EQ(add.path.rfind("year=" + year + "/day=" + day + "/ok=" + ok + "/", 0), 0u) << add.path;
		auto file = QuoteLiteral(snapshot->ResolvePath(add.path).string());
		EXPECT_EQ(QueryValue(connection, "SELECT string_agg(name, ',' ORDER BY name) FROM parquet_schema(" + file +
		                                     ") WHERE num_children IS NULL"),
		          "\"amount,id\"");
	}
	auto parameters = ActionsOf(ReadCommit(root, 0), "commitInfo").at(0)["operationParameters"];
	EXPECT_EQ(json::parse(parameters["partitionBy"].get<std::string>()), json({"year", "day", "ok"}));
	// An append without partition_by keeps the table's partitioning.
	WriteTable(connection, root, "SELECT 100 AS id, 2030 AS year, DATE '2030-01-01' AS day, NULL::BOOLEAN AS ok",
	           Mode(WriteMode::APPEND));
	EXPECT_EQ(TableRows(connection, root, "id DESC LIMIT 1"), "[100,2030,\"2030-01-01\",null,null]");
}

TEST(Writer, TimestampDecimalAndDoublePartitionsReadBack) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.partition_by = {"ts", "ntz", "d", "f"};
	WriteTable(connection, root,
	           "SELECT 1 AS id, TIMESTAMPTZ '2024-01-02 03:04:05.5+02' AS ts, TIMESTAMP '2024-01-02 03:04:05' AS ntz, "
	           "1.25::DECIMAL(5,2) AS d, 3.5::DOUBLE AS f",
	           options);
	EXPECT_EQ(TableRows(connection, root, "id"),
	          "[1,\"2024-01-02T01:04:05.500000Z\",\"2024-01-02T03:04:05\",1.25,3.5]");
	auto snapshot = Snapshot::Load(connection, root);
	ASSERT_EQ(snapshot->Files().size(), 1u);
	// Timestamps are logged as UTC instants in the protocol's partition value format.
	const auto &values = snapshot->Files()[0].partition_values;
	EXPECT_EQ(*values.at("ts"), "2024-01-02 01:04:05.500000");
	EXPECT_EQ(*values.at("ntz"), "2024-01-02 03:04:05.000000");
	EXPECT_EQ(*values.at("d"), "1.25");
	EXPECT_EQ(*values.at("f"), "3.5");
	// Binary and nested columns cannot partition a table.
	options.partition_by = {"b"};
	EXPECT_THROW(WriteTable(connection, dir.Path() / "u", "SELECT 1 AS id, 'x'::BLOB AS b", options),
	             InvalidInputError);
	options.partition_by = {"l"};
	EXPECT_THROW(WriteTable(connection, dir.Path() / "u", "SELECT 1 AS id, [1] AS l", options), InvalidInputError);
	EXPECT_TRUE(CommitVersions(dir.Path() / "u").empty());
}

TEST(Writer, NullPartitionValuesReadBackAsNull) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.partition_by = {"city", "n"};
	WriteTable(connection, root,
	           "SELECT i AS id, CASE WHEN i % 2 = 0 THEN NULL ELSE 'Oslo' END AS city, "
	           "CASE WHEN i % 3 = 0 THEN NULL ELSE i % 3 END::INTEGER AS n FROM range(6) t(i)",
	           options);
	EXPECT_EQ(TableRows(connection, root, "id"), "[0,null,null]\n[1,\"Oslo\",1]\n[2,null,2]\n"
	                                             "[3,\"Oslo\",null]\n[4,null,1]\n[5,\"Oslo\",2]");
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*) FROM t WHERE city IS NULL"), "[3]");
	auto snapshot = Snapshot::Load(connection, root);
	size_t null_cities = 0;
	for (const auto &add : snapshot->Files()) {
		auto city = add.partition_values.at("city");
		null_cities += city ? 0 : 1;
		EXPECT_TRUE(!city || *city == "Oslo");
	}
	EXPECT_EQ(null_cities, 3u);
	// In the log, a NULL partition value is JSON null (not the directory's marker string).
	for (const auto &add : ActionsOf(ReadCommit(root, 0), "add")) {
		for (const auto &[key, value] : add["partitionValues"].items()) {
			EXPECT_TRUE(value.is_null() ||
			            (value.is_string() && value.get<std::string>().find("HIVE") == std::string::npos))
			    << add.dump();
		}
	}
}

TEST(Writer, EmptyStringPartitionValuesAreStoredAsNull) {
	// An empty string has no folder of its own: Spark stores it as NULL, and readers read "" as NULL anyway.
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.partition_by = {"s"};
	WriteTable(connection, root, "SELECT i AS id, CASE WHEN i = 0 THEN '' ELSE 'a' END AS s FROM range(2) t(i)",
	           options);
	for (const auto &add : ActionsOf(ReadCommit(root, 0), "add")) {
		EXPECT_TRUE(add["partitionValues"]["s"].is_null() || add["partitionValues"]["s"] == "a") << add.dump();
	}
	EXPECT_EQ(TableRows(connection, root, "id"), "[0,null]\n[1,\"a\"]");
}

TEST(Writer, NullsInANotNullColumnAreRefused) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto metadata = MetadataAction({{"id", "long"}, {"name", "string"}});
	auto schema = json::parse(metadata["metaData"]["schemaString"].get<std::string>());
	schema["fields"][0]["nullable"] = false;
	metadata["metaData"]["schemaString"] = schema.dump();
	WriteCommit(root, 0, {ProtocolAction(1, 2), metadata});
	WriteTable(connection, root, "SELECT 1 AS id, 'a' AS name", Mode(WriteMode::APPEND));
	auto files_before = ParquetFilesOnDisk(root);
	try {
		WriteTable(connection, root, "SELECT NULL::BIGINT AS id, 'b' AS name", Mode(WriteMode::APPEND));
		FAIL() << "a NULL in a NOT NULL column was written";
	} catch (const InvalidInputError &error) {
		EXPECT_NE(std::string(error.what()).find("id"), std::string::npos) << error.what();
	}
	EXPECT_EQ(CommitVersions(root), (std::vector<int64_t>{0, 1}));
	EXPECT_EQ(ParquetFilesOnDisk(root), files_before);
}

TEST(Writer, PartitionValuesWithSpecialCharactersRoundTrip) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.partition_by = {"p"};
	std::vector<std::string> values = {"a/b", "c d", "50%", "k=v", "x%41y", "it's", "#?&", "ü", "..", "a\\b"};
	std::string list;
	for (const auto &value : values) {
		list += (list.empty() ? "" : ", ") + QuoteLiteral(value);
	}
	WriteTable(connection, root,
	           "SELECT i AS id, [" + list + "][i % " + std::to_string(values.size()) + " + 1] AS p FROM range(" +
	               std::to_string(values.size() * 2) + ") t(i)",
	           options);
	// Every row reads back with its exact value, in a file of its own partition.
	for (size_t i = 0; i < values.size(); i++) {
		SCOPED_TRACE(values[i]);
		EXPECT_EQ(
		    QueryTable(connection, root, "SELECT list(id ORDER BY id) FROM t WHERE p = " + QuoteLiteral(values[i])),
		    "[[" + std::to_string(i) + "," + std::to_string(i + values.size()) + "]]");
	}
	auto snapshot = Snapshot::Load(connection, root);
	std::set<std::string> logged;
	for (const auto &add : snapshot->Files()) {
		logged.insert(*add.partition_values.at("p"));
		// No value escaped its partition directory.
		EXPECT_TRUE(fs::exists(snapshot->ResolvePath(add.path))) << add.path;
		auto relative = fs::path(add.path).lexically_normal();
		EXPECT_EQ(std::distance(relative.begin(), relative.end()), 2) << add.path;
		EXPECT_EQ(add.path.rfind("p=", 0), 0u) << add.path;
	}
	EXPECT_EQ(logged, std::set<std::string>(values.begin(), values.end()));
	for (const auto &entry : fs::directory_iterator(root)) {
		auto name = entry.path().filename().string();
		EXPECT_TRUE(name == "_delta_log" || name.rfind("p=", 0) == 0) << name;
	}
}

TEST(Writer, PartitionColumnsOfAnExistingTableCannotChange) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.partition_by = {"g"};
	WriteTable(connection, root, "SELECT i AS id, i % 2 AS g FROM range(4) t(i)", options);
	options.mode = WriteMode::APPEND;
	options.partition_by = {"id"};
	EXPECT_THROW(WriteTable(connection, root, "SELECT 9 AS id, 1 AS g", options), InvalidInputError);
	options.partition_by = {"missing"};
	EXPECT_THROW(WriteTable(connection, dir.Path() / "u", "SELECT 9 AS id", options), InvalidInputError);
	options.partition_by = {"id"};
	EXPECT_THROW(WriteTable(connection, dir.Path() / "v", "SELECT 9 AS id", options), InvalidInputError);
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});
	EXPECT_TRUE(CommitVersions(dir.Path() / "u").empty());
	EXPECT_TRUE(CommitVersions(dir.Path() / "v").empty());
}

TEST(Writer, MergeSchemaAddsANullableColumn) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root, "SELECT i AS id FROM range(3) t(i)", Mode(WriteMode::CREATE));
	auto options = Mode(WriteMode::APPEND);
	options.merge_schema = true;
	auto result = WriteTable(connection, root, "SELECT i AS id, 'e' || i AS extra FROM range(3, 5) t(i)", options);
	EXPECT_EQ(result.version, 1);
	EXPECT_EQ(TableColumns(connection, root), "id BIGINT, extra VARCHAR");
	EXPECT_EQ(TableRows(connection, root, "id"), "[0,null]\n[1,null]\n[2,null]\n[3,\"e3\"]\n[4,\"e4\"]");
	auto schema = Snapshot::Load(connection, root)->GetSchema();
	ASSERT_NE(schema.Find("extra"), nullptr);
	EXPECT_TRUE(schema.Find("extra")->nullable);
	// The new schema is logged once, keeping the table's identity.
	auto metadata = ActionsOf(ReadCommit(root, 1), "metaData");
	ASSERT_EQ(metadata.size(), 1u);
	EXPECT_EQ(metadata[0]["id"], ActionsOf(ReadCommit(root, 0), "metaData").at(0)["id"]);
	// Version 0 keeps its schema.
	EXPECT_EQ(TableRows(connection, root, "id", AtVersion(0)), "[0]\n[1]\n[2]");
}

TEST(Writer, SchemaMismatchWithoutMergeFailsWithoutANewVersion) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root, "SELECT i AS id FROM range(3) t(i)", Mode(WriteMode::CREATE));
	auto files_before = ParquetFilesOnDisk(root);
	try {
		WriteTable(connection, root, "SELECT 5 AS id, 'x' AS extra", Mode(WriteMode::APPEND));
		FAIL() << "expected a schema mismatch";
	} catch (const InvalidInputError &error) {
		EXPECT_NE(std::string(error.what()).find("extra"), std::string::npos) << error.what();
	}
	EXPECT_THROW(WriteTable(connection, root, "SELECT 'text' AS id", Mode(WriteMode::APPEND)), InvalidInputError);
	EXPECT_THROW(WriteTable(connection, root, "SELECT 'text' AS id", Mode(WriteMode::OVERWRITE)), InvalidInputError);
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});
	EXPECT_EQ(ParquetFilesOnDisk(root), files_before);
	EXPECT_EQ(TableColumns(connection, root), "id BIGINT");
}

TEST(Writer, TypesDeltaCannotStoreAreRejectedNamingTheColumn) {
	TempDir dir;
	auto connection = OpenTestConnection();
	struct Case {
		std::string sql;
		std::string column;
	};
	std::vector<Case> cases = {{"SELECT 1 AS id, INTERVAL 1 DAY AS gap", "gap"},
	                           // (A bare NULL column is typed INTEGER by DuckDB, as in its own CREATE TABLE AS.)
	                           {"SELECT 1 AS id, '101'::BIT AS bits", "bits"},
	                           {"SELECT 1 AS id, '12:00'::TIME AS clock", "clock"},
	                           {"SELECT 1 AS id, {'inner': INTERVAL 2 DAY} AS nested", "nested"}};
	int n = 0;
	for (const auto &c : cases) {
		SCOPED_TRACE(c.sql);
		auto root = dir.Path() / ("t" + std::to_string(n++));
		try {
			WriteTable(connection, root, c.sql, Mode(WriteMode::CREATE));
			ADD_FAILURE() << "expected UnsupportedError";
		} catch (const UnsupportedError &error) {
			EXPECT_NE(std::string(error.what()).find(c.column), std::string::npos) << error.what();
		}
		EXPECT_TRUE(CommitVersions(root).empty());
		EXPECT_FALSE(fs::exists(root) && ParquetFilesOnDisk(root).size() > 0);
	}
	// Nor can such a column join an existing table.
	auto root = dir.Path() / "existing";
	WriteTable(connection, root, "SELECT 1 AS id", Mode(WriteMode::CREATE));
	auto options = Mode(WriteMode::APPEND);
	options.merge_schema = true;
	EXPECT_THROW(WriteTable(connection, root, "SELECT 2 AS id, INTERVAL 1 DAY AS gap", options), UnsupportedError);
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});
}

TEST(Writer, RepeatedTransactionIsSkipped) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::APPEND);
	options.transaction = SetTransaction{"etl-job", 1, std::nullopt};
	auto first = WriteTable(connection, root, "SELECT 1 AS id", options);
	EXPECT_EQ(first.version, 0);
	auto txns = ActionsOf(ReadCommit(root, 0), "txn");
	ASSERT_EQ(txns.size(), 1u);
	EXPECT_EQ(txns[0]["appId"], "etl-job");
	EXPECT_EQ(txns[0]["version"], 1);

	auto repeat = WriteTable(connection, root, "SELECT 1 AS id", options);
	EXPECT_TRUE(repeat.skipped);
	EXPECT_EQ(repeat.version, -1);
	EXPECT_NE(repeat.skip_reason.find("etl-job"), std::string::npos) << repeat.skip_reason;
	options.transaction->version = 0; // older than what the table holds
	EXPECT_TRUE(WriteTable(connection, root, "SELECT 1 AS id", options).skipped);
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});

	// Another application is independent; a newer version applies.
	options.transaction = SetTransaction{"other-job", 1, std::nullopt};
	EXPECT_EQ(WriteTable(connection, root, "SELECT 2 AS id", options).version, 1);
	options.transaction = SetTransaction{"etl-job", 2, std::nullopt};
	EXPECT_EQ(WriteTable(connection, root, "SELECT 3 AS id", options).version, 2);
	EXPECT_TRUE(WriteTable(connection, root, "SELECT 3 AS id", options).skipped);
	EXPECT_EQ(TableRows(connection, root, "id"), "[1]\n[2]\n[3]");
	auto known = Snapshot::Load(connection, root)->Transactions();
	EXPECT_EQ(known.at("etl-job").version, 2);
	EXPECT_EQ(known.at("other-job").version, 1);
}

TEST(Writer, CommitInfoDescribesEachWrite) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.partition_by = {"g"};
	WriteTable(connection, root, "SELECT i AS id, i % 2 AS g FROM range(10) t(i)", options);
	WriteTable(connection, root, "SELECT 10 AS id, 0 AS g", Mode(WriteMode::APPEND));
	WriteTable(connection, root, "SELECT 11 AS id, 1 AS g", Mode(WriteMode::OVERWRITE));
	struct Expected {
		std::string mode;
		bool blind_append;
		int64_t read_version; // -1: none
		uint64_t rows;
	};
	std::vector<Expected> expected = {
	    {"ErrorIfExists", true, -1, 10}, {"Append", true, 0, 1}, {"Overwrite", false, 1, 1}};
	for (int64_t version = 0; version < 3; version++) {
		SCOPED_TRACE(version);
		auto commit = ReadCommit(root, version);
		ASSERT_FALSE(commit.empty());
		ASSERT_TRUE(commit[0].contains("commitInfo")) << "commitInfo comes first";
		auto info = commit[0]["commitInfo"];
		EXPECT_EQ(info["operation"], "WRITE");
		EXPECT_EQ(info["operationParameters"]["mode"], expected[version].mode);
		EXPECT_EQ(info["isBlindAppend"], expected[version].blind_append);
		if (expected[version].read_version < 0) {
			EXPECT_FALSE(info.contains("readVersion")) << info.dump();
		} else {
			EXPECT_EQ(info["readVersion"], expected[version].read_version) << info.dump();
		}
		EXPECT_NE(info["engineInfo"].get<std::string>().find("DeltaDuck"), std::string::npos) << info.dump();
		EXPECT_TRUE(info["timestamp"].is_number_integer());
		auto now =
		    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
		        .count();
		EXPECT_LE(std::abs(info["timestamp"].get<int64_t>() - now), 60000);
		EXPECT_EQ(info["operationMetrics"]["numOutputRows"], std::to_string(expected[version].rows));
		EXPECT_EQ(info["operationMetrics"]["numFiles"], std::to_string(ActionsOf(commit, "add").size()));
	}
	auto custom = Mode(WriteMode::APPEND);
	custom.operation = "STREAMING UPDATE";
	WriteTable(connection, root, "SELECT 12 AS id, 0 AS g", custom);
	EXPECT_EQ(ReadCommit(root, 3)[0]["commitInfo"]["operation"], "STREAMING UPDATE");
}

TEST(Writer, ProtocolOfAPlainTable) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root,
	           "SELECT 1 AS id, 'x' AS s, DATE '2024-01-01' AS d, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS ts, "
	           "1.5::DECIMAL(4,1) AS dec, [1, 2] AS l, {'a': 1} AS st, MAP {'k': 1} AS m, 'ab'::BLOB AS b",
	           Mode(WriteMode::CREATE));
	auto protocols = ActionsOf(ReadCommit(root, 0), "protocol");
	ASSERT_EQ(protocols.size(), 1u);
	EXPECT_EQ(protocols[0], json({{"minReaderVersion", 1}, {"minWriterVersion", 2}}));
	auto snapshot = Snapshot::Load(connection, root);
	EXPECT_EQ(snapshot->GetProtocol().min_reader_version, 1);
	EXPECT_EQ(snapshot->GetSchema().Find("ts")->type->name, "timestamp");
	EXPECT_EQ(TableColumns(connection, root), "id INTEGER, s VARCHAR, d DATE, ts TIMESTAMP WITH TIME ZONE, dec "
	                                          "DECIMAL(4,1), l INTEGER[], st STRUCT(\"a\" INTEGER), m MAP(VARCHAR, "
	                                          "INTEGER), b BLOB");
	EXPECT_EQ(TableRows(connection, root, "id"),
	          "[1,\"x\",\"2024-01-01\",\"2024-01-01T00:00:00Z\",1.5,[1,2],{\"a\":1},{\"k\":1},\"YWI=\"]");
}

TEST(Writer, NaiveTimestampsNeedTheTimestampNtzFeature) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root, "SELECT 1 AS id, TIMESTAMP '2024-01-02 03:04:05.123456' AS at",
	           Mode(WriteMode::CREATE));
	auto protocols = ActionsOf(ReadCommit(root, 0), "protocol");
	ASSERT_EQ(protocols.size(), 1u);
	EXPECT_EQ(protocols[0]["minReaderVersion"], 3);
	EXPECT_EQ(protocols[0]["minWriterVersion"], 7);
	EXPECT_EQ(protocols[0]["readerFeatures"], json({"timestampNtz"}));
	EXPECT_EQ(protocols[0]["writerFeatures"], json({"timestampNtz"}));
	EXPECT_EQ(Snapshot::Load(connection, root)->GetSchema().Find("at")->type->name, "timestamp_ntz");
	EXPECT_EQ(TableRows(connection, root, "id"), "[1,\"2024-01-02T03:04:05.123456\"]");
	// Appending more naive timestamps keeps the protocol as it is.
	WriteTable(connection, root, "SELECT 2 AS id, TIMESTAMP '2024-01-03' AS at", Mode(WriteMode::APPEND));
	EXPECT_TRUE(ActionsOf(ReadCommit(root, 1), "protocol").empty());

	// A plain table gains the feature when a merge adds a naive timestamp (nested in a list, too).
	auto plain = dir.Path() / "plain";
	WriteTable(connection, plain, "SELECT 1 AS id", Mode(WriteMode::CREATE));
	auto options = Mode(WriteMode::APPEND);
	options.merge_schema = true;
	WriteTable(connection, plain, "SELECT 2 AS id, [TIMESTAMP '2024-01-02 03:04:05'] AS times", options);
	auto upgrade = ActionsOf(ReadCommit(plain, 1), "protocol");
	ASSERT_EQ(upgrade.size(), 1u);
	EXPECT_EQ(upgrade[0]["minReaderVersion"], 3);
	EXPECT_EQ(upgrade[0]["minWriterVersion"], 7);
	EXPECT_EQ(upgrade[0]["readerFeatures"], json({"timestampNtz"}));
	// What the legacy writer version 2 implied stays, now as explicit features.
	EXPECT_EQ(upgrade[0]["writerFeatures"], json({"appendOnly", "invariants", "timestampNtz"}));
	auto protocol = Snapshot::Load(connection, plain)->GetProtocol();
	EXPECT_EQ(protocol.min_reader_version, 3);
	EXPECT_EQ(protocol.min_writer_version, 7);
	EXPECT_EQ(TableRows(connection, plain, "id"), "[1,null]\n[2,[\"2024-01-02T03:04:05\"]]");
}

TEST(Writer, StatsMatchEachFile) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.target_file_size = 1; // a file per row group
	std::string source = "SELECT i AS id, 'n' || lpad(i::VARCHAR, 6, '0') AS name, "
	                     "CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 1000) * 1.5 END AS amount, "
	                     "DATE '2000-01-01' + (i % 5000)::INTEGER AS day, "
	                     "TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' + to_seconds(i) AS at, "
	                     "TIMESTAMP '2024-01-02 03:04:05' - to_seconds(i) AS naive, "
	                     "(i % 100)::DECIMAL(5,2) AS dec, i % 2 = 0 AS flag, -(i::FLOAT) / 4 AS f, "
	                     "CASE WHEN i < 200000 THEN NULL ELSE i END AS late, NULL::VARCHAR AS never, "
	                     "[i] AS list, {'a': i} AS st, "
	                     "(i % 1000)::DECIMAL(30,3) AS wide, 'héllo wörld ' || (i % 10) AS \"odd name\" "
	                     "FROM range(300000) t(i)";
	auto result = WriteTable(connection, root, source, options);
	EXPECT_EQ(result.rows, 300000u);
	EXPECT_GE(result.files, 2u);
	auto snapshot = Snapshot::Load(connection, root);
	ASSERT_EQ(snapshot->Files().size(), result.files);
	int64_t records = 0;
	for (const auto &add : snapshot->Files()) {
		ExpectStatsMatchFile(connection, *snapshot, add);
		records += json::parse(add.stats.value_or("{}")).value("numRecords", int64_t(0));
		EXPECT_EQ(add.size, static_cast<int64_t>(fs::file_size(snapshot->ResolvePath(add.path))));
	}
	EXPECT_EQ(records, 300000);
	// Spot check the first file's stats for the numeric columns.
	auto stats = json::parse(*snapshot->Files()[0].stats);
	EXPECT_TRUE(stats["minValues"].contains("id"));
	EXPECT_TRUE(stats["maxValues"].contains("at"));
	EXPECT_TRUE(stats["maxValues"].contains("naive"));
	EXPECT_FALSE(stats["minValues"].contains("never"));
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*), sum(id), count(amount), count(late) FROM t"),
	          "[300000,44999850000,257142,100000]");
}

TEST(Writer, StatsOfPartitionedFilesCoverOnlyTheDataColumns) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto options = Mode(WriteMode::CREATE);
	options.partition_by = {"g"};
	WriteTable(connection, root,
	           "SELECT i AS id, i % 3 AS g, CASE WHEN i % 4 = 0 THEN NULL ELSE 'v' || i END AS s FROM range(50) t(i)",
	           options);
	auto snapshot = Snapshot::Load(connection, root);
	ASSERT_EQ(snapshot->Files().size(), 3u);
	for (const auto &add : snapshot->Files()) {
		ExpectStatsMatchFile(connection, *snapshot, add);
		auto stats = json::parse(*add.stats);
		EXPECT_FALSE(stats["nullCount"].contains("g")) << *add.stats;
		EXPECT_FALSE(stats["minValues"].contains("g")) << *add.stats;
	}
}

TEST(Writer, StatsOfLongStringsAndNaNStillBoundEveryRow) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root,
	           "SELECT i AS id, repeat('a', 40) || i AS long_text, repeat('z', 30) || (9 - i) AS near_limit, "
	           "CASE WHEN i = 5 THEN 'NaN'::DOUBLE ELSE i END AS x, "
	           "CASE WHEN i = 5 THEN 'Infinity'::DOUBLE ELSE -i END AS y FROM range(10) t(i)",
	           Mode(WriteMode::CREATE));
	auto snapshot = Snapshot::Load(connection, root);
	ASSERT_EQ(snapshot->Files().size(), 1u);
	const auto &add = snapshot->Files()[0];
	ExpectStatsMatchFile(connection, *snapshot, add);
	auto stats = json::parse(*add.stats);
	// The minimum of long strings is a prefix of at most 32 characters; no truncated maximum.
	if (stats["minValues"].contains("long_text")) {
		EXPECT_LE(stats["minValues"]["long_text"].get<std::string>().size(), 32u);
	}
	if (stats["maxValues"].contains("long_text")) {
		EXPECT_EQ(stats["maxValues"]["long_text"], std::string(40, 'a') + "9");
	}
	// A file holding NaN must not claim a maximum below it.
	if (stats["maxValues"].contains("x")) {
		EXPECT_TRUE(stats["maxValues"]["x"].is_string() && stats["maxValues"]["x"] == "NaN") << *add.stats;
	}
}

TEST(Writer, DataFileNamesAreUniqueAndNoStagingRemains) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	auto partitioned = Mode(WriteMode::CREATE);
	partitioned.partition_by = {"g"};
	WriteTable(connection, root, "SELECT i AS id, i % 2 AS g FROM range(10) t(i)", partitioned);
	auto small = Mode(WriteMode::APPEND);
	small.target_file_size = 1;
	for (int i = 0; i < 5; i++) {
		WriteTable(connection, root, "SELECT i AS id, i % 2 AS g FROM range(10) t(i)", Mode(WriteMode::APPEND));
	}
	WriteTable(connection, root, "SELECT i AS id, 1 AS g FROM range(300000) t(i)", small);
	WriteTable(connection, root, "SELECT i AS id, i % 2 AS g FROM range(10) t(i)", Mode(WriteMode::OVERWRITE));
	WriteTable(connection, root, "SELECT i AS id, i % 2 AS g FROM range(10) t(i)", Mode(WriteMode::APPEND));
	// Every add across the whole log names a new file.
	std::set<std::string> added;
	size_t adds = 0;
	for (auto version : CommitVersions(root)) {
		for (const auto &add : ActionsOf(ReadCommit(root, version), "add")) {
			adds++;
			auto path = DecodeUriPath(add["path"].get<std::string>());
			EXPECT_TRUE(added.insert(path).second) << "file added twice: " << path;
			EXPECT_NE(path.find(".parquet"), std::string::npos) << path;
		}
	}
	EXPECT_GE(adds, 2u * 7 + 2);
	EXPECT_TRUE(StagingFolders(root).empty());
	// Every data file on disk was committed; none is outside the table.
	EXPECT_EQ(ParquetFilesOnDisk(root), added);
}

TEST(Writer, FilesOfAFailedWriteAreNotReferenced) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path() / "t";
	WriteTable(connection, root, "SELECT i AS id FROM range(10) t(i)", Mode(WriteMode::CREATE));
	auto live_before = LiveFiles(connection, root);
	// The source fails late, after DuckDB has finished files of earlier row groups.
	auto options = Mode(WriteMode::APPEND);
	options.target_file_size = 1;
	EXPECT_ANY_THROW(WriteTable(connection, root,
	                            "SELECT CAST(CASE WHEN i < 290000 THEN i::VARCHAR ELSE 'boom' END AS BIGINT) AS id "
	                            "FROM range(300000) t(i)",
	                            options));
	EXPECT_EQ(CommitVersions(root), std::vector<int64_t>{0});
	EXPECT_EQ(LiveFiles(connection, root), live_before);
	EXPECT_EQ(QueryTable(connection, root, "SELECT count(*) FROM t"), "[10]");
	EXPECT_EQ(ParquetFilesOnDisk(root), live_before); // nothing left behind
	EXPECT_TRUE(StagingFolders(root).empty());
	// The table takes the next write as usual.
	EXPECT_EQ(WriteTable(connection, root, "SELECT 10 AS id", Mode(WriteMode::APPEND)).version, 1);
}

TEST(Writer, AnOverwriteThatLosesARaceFailsAndItsFilesAreNotReferenced) {
	TempDir dir;
	auto root = dir.Path() / "t";
	auto connection = OpenTestConnection();
	WriteTable(connection, root, "SELECT i AS id, 'base' AS tag FROM range(10) t(i)", Mode(WriteMode::CREATE));
	// While the overwrite streams its (slow) source, another writer appends.
	std::atomic<bool> appended = false;
	std::thread other([&] {
		auto other_connection = OpenTestConnection();
		auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
		while (std::chrono::steady_clock::now() < deadline) {
			if (StagingInProgress(root)) {
				WriteTable(other_connection, root, "SELECT 100 AS id, 'append' AS tag", Mode(WriteMode::APPEND));
				appended = true;
				return;
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
	});
	try {
		WriteTable(connection, root,
		           "SELECT i AS id, CASE WHEN md5(i::VARCHAR) = '' THEN 'never' ELSE 'overwrite' END AS tag "
		           "FROM range(3000000) t(i)",
		           Mode(WriteMode::OVERWRITE));
		ADD_FAILURE() << "the overwrite should have lost the race";
	} catch (const ConflictError &error) {
		EXPECT_NE(std::string(error.what()).find("concurrent"), std::string::npos) << error.what();
	}
	other.join();
	ASSERT_TRUE(appended);
	EXPECT_EQ(CommitVersions(root), (std::vector<int64_t>{0, 1}));
	EXPECT_EQ(QueryTable(connection, root, "SELECT tag, count(*) FROM t GROUP BY tag ORDER BY tag"),
	          "[\"append\",1]\n[\"base\",10]");
	auto live = LiveFiles(connection, root);
	for (const auto &file : ParquetFilesOnDisk(root)) {
		if (!live.count(file)) {
			// An unreferenced leftover of the overwrite: it holds only overwrite rows.
			EXPECT_EQ(QueryValue(connection, "SELECT list(DISTINCT tag) FROM read_parquet(" +
			                                     QuoteLiteral((root / file).string()) + ")"),
			          "[\"overwrite\"]");
		}
	}
}

} // namespace deltaduck
