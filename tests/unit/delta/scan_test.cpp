#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/predicate.hpp"
#include "delta/scan.hpp"
#include "delta/snapshot.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace deltaduck {

using namespace delta;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! The scan's rows as JSON arrays, ordered by `order_by`.
std::string ScanRows(Connection &connection, const Scan &scan, const std::string &order_by) {
	return QueryJsonRows(connection, "SELECT * FROM (" + scan.Sql() + ") ORDER BY " + order_by);
}

//! "name TYPE" of each column of the scan, comma separated.
std::string ScanColumns(Connection &connection, const Scan &scan) {
	auto result = connection.Query(scan.Sql());
	std::string out;
	for (const auto &column : result.Columns()) {
		out += (out.empty() ? "" : ", ") + column.name + " " + column.type.ToString();
	}
	return out;
}

std::string Stats(int64_t records, int64_t min, int64_t max, int64_t nulls) {
	return json{{"numRecords", records},
	            {"minValues", {{"id", min}}},
	            {"maxValues", {{"id", max}}},
	            {"nullCount", {{"id", nulls}}}}
	    .dump();
}

} // namespace

TEST(Scan, ReadsPartitionValuesAsTypedColumns) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto root = dir.Path();
	WriteParquet(connection, root / "f1.parquet", "SELECT * FROM (VALUES (1::BIGINT), (2::BIGINT)) t(id)");
	WriteParquet(connection, root / "f2.parquet", "SELECT 3::BIGINT AS id");
	WriteParquet(connection, root / "f3.parquet", "SELECT 4::BIGINT AS id");
	WriteParquet(connection, root / "f4.parquet", "SELECT 5::BIGINT AS id");
	WriteParquet(connection, root / "f5.parquet", "SELECT 6::BIGINT AS id");
	WriteCommit(root, 0,
	            {ProtocolAction(),
	             MetadataAction({{"id", "long"}, {"i", "integer"}, {"d", "date"}, {"s", "string"}}, {"i", "d", "s"}),
	             AddAction("f1.parquet", {{"i", "1"}, {"d", "2024-01-02"}, {"s", "x"}}),
	             AddAction("f2.parquet", {{"i", nullptr}, {"d", nullptr}, {"s", nullptr}}),
	             AddAction("f3.parquet", {{"i", "-5"}, {"d", "2020-02-29"}, {"s", ""}}),
	             AddAction("f4.parquet", json::object()),
	             AddAction("f5.parquet", {{"i", "1"}, {"d", "2024-01-02"}, {"s", "it's"}})});
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, root));
	EXPECT_EQ(scan.Files().size(), 5u);
	EXPECT_EQ(scan.SkippedFiles(), 0u);
	EXPECT_EQ(ScanColumns(connection, scan), "id BIGINT, i INTEGER, d DATE, s VARCHAR");
	EXPECT_EQ(ScanRows(connection, scan, "id"), "[1,1,\"2024-01-02\",\"x\"]\n"
	                                            "[2,1,\"2024-01-02\",\"x\"]\n"
	                                            "[3,null,null,null]\n"
	                                            "[4,-5,\"2020-02-29\",null]\n"
	                                            "[5,null,null,null]\n"
	                                            "[6,1,\"2024-01-02\",\"it's\"]");
}

TEST(Scan, PartitionColumnsKeepSchemaOrder) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteParquet(connection, dir.Path() / "p.parquet", "SELECT 'b' AS b, 7::BIGINT AS a");
	WriteCommit(dir.Path(), 0,
	            {ProtocolAction(), MetadataAction({{"year", "integer"}, {"a", "long"}, {"b", "string"}}, {"year"}),
	             AddAction("p.parquet", {{"year", "2024"}})});
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()));
	EXPECT_EQ(ScanColumns(connection, scan), "year INTEGER, a BIGINT, b VARCHAR");
	EXPECT_EQ(ScanRows(connection, scan, "a"), "[2024,7,\"b\"]");
}

TEST(Scan, AColumnMissingFromAnOlderFileReadsAsNull) {
	TempDir dir;
	auto connection = OpenTestConnection();
	// The old file predates `extra` and stores id as INTEGER; the new one has the columns in another order
	// and a column the schema no longer has.
	WriteParquet(connection, dir.Path() / "old.parquet", "SELECT * FROM (VALUES (1), (2)) t(id)");
	WriteParquet(connection, dir.Path() / "new.parquet", "SELECT 'c' AS extra, 3::BIGINT AS id, 'z' AS dropped");
	WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("old.parquet")});
	WriteCommit(dir.Path(), 1, {MetadataAction({{"id", "long"}, {"extra", "string"}}), AddAction("new.parquet")});

	auto scan = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()));
	EXPECT_EQ(ScanColumns(connection, scan), "id BIGINT, extra VARCHAR");
	EXPECT_EQ(ScanRows(connection, scan, "id"), "[1,null]\n[2,null]\n[3,\"c\"]");

	// Only the old file, under the new schema: the column exists in no file at all.
	WriteCommit(dir.Path(), 2, {RemoveAction("new.parquet")});
	auto old_only = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()));
	EXPECT_EQ(ScanColumns(connection, old_only), "id BIGINT, extra VARCHAR");
	EXPECT_EQ(ScanRows(connection, old_only, "id"), "[1,null]\n[2,null]");

	// Version 0 has the old schema.
	auto v0 = Scan::Plan(connection, Snapshot::Load(connection, dir.Path(), AtVersion(0)));
	EXPECT_EQ(ScanColumns(connection, v0), "id BIGINT");
	EXPECT_EQ(ScanRows(connection, v0, "id"), "[1]\n[2]");
}

TEST(Scan, WidenedTypesReadEveryFileAsTheTablesType) {
	// typeWidening: the table's type went from integer to long; the old file stores INT32, the new one values
	// no INT32 can hold. Version 0 (before the change) is readable too.
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteParquet(connection, dir.Path() / "old.parquet", "SELECT 7::INTEGER AS n, 1.5::FLOAT AS f");
	WriteParquet(connection, dir.Path() / "new.parquet", "SELECT 5000000000::BIGINT AS n, 2.25::DOUBLE AS f");
	auto protocol = ProtocolAction(3, 7);
	protocol["protocol"]["readerFeatures"] = {"typeWidening"};
	protocol["protocol"]["writerFeatures"] = {"typeWidening"};
	WriteCommit(dir.Path(), 0,
	            {protocol, MetadataAction({{"n", "integer"}, {"f", "float"}}), AddAction("old.parquet")});
	WriteCommit(dir.Path(), 1, {MetadataAction({{"n", "long"}, {"f", "double"}}), AddAction("new.parquet")});
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()));
	EXPECT_EQ(ScanColumns(connection, scan), "n BIGINT, f DOUBLE");
	EXPECT_EQ(ScanRows(connection, scan, "n"), "[7,1.5]\n[5000000000,2.25]");
	auto v0 = Scan::Plan(connection, Snapshot::Load(connection, dir.Path(), AtVersion(0)));
	EXPECT_EQ(ScanColumns(connection, v0), "n INTEGER, f FLOAT");
	EXPECT_EQ(ScanRows(connection, v0, "n"), "[7,1.5]");
}

TEST(Scan, NestedFieldsAreNotTopLevelColumns) {
	TempDir dir;
	auto connection = OpenTestConnection();
	// Top-level `a` was added after the file was written; the file has fields named `a` only inside a struct and
	// a list of structs.
	WriteParquet(connection, dir.Path() / "nested.parquet",
	             "SELECT 1::BIGINT AS id, {'a': 2::BIGINT, 'extra': 'x'} AS s, [{'a': 3::BIGINT}] AS l");
	auto field = [](const std::string &name, const json &type) {
		return json{{"name", name}, {"type", type}, {"nullable", true}, {"metadata", json::object()}};
	};
	json struct_type = {{"type", "struct"}, {"fields", {field("a", "long"), field("extra", "string")}}};
	json list_type = {{"type", "array"},
	                  {"elementType", {{"type", "struct"}, {"fields", {field("a", "long")}}}},
	                  {"containsNull", true}};
	json schema = {
	    {"type", "struct"},
	    {"fields", {field("id", "long"), field("s", struct_type), field("l", list_type), field("a", "long")}}};
	auto metadata = MetadataAction({});
	metadata["metaData"]["schemaString"] = schema.dump();
	WriteCommit(dir.Path(), 0, {ProtocolAction(), metadata, AddAction("nested.parquet")});
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()));
	EXPECT_EQ(ScanRows(connection, scan, "id"), "[1,{\"a\":2,\"extra\":\"x\"},[{\"a\":3}],null]");
}

TEST(Scan, AnEmptyTableHasTheSchemaColumnsAndNoRows) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteCommit(
	    dir.Path(), 0,
	    {ProtocolAction(),
	     MetadataAction({{"id", "long"}, {"name", "string"}, {"day", "date"}, {"price", "decimal(10,2)"}}, {"day"})});
	auto snapshot = Snapshot::Load(connection, dir.Path());
	auto scan = Scan::Plan(connection, snapshot);
	EXPECT_TRUE(scan.Files().empty());
	EXPECT_EQ(ScanColumns(connection, scan), "id BIGINT, name VARCHAR, day DATE, price DECIMAL(10,2)");
	EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*) FROM (" + scan.Sql() + ")"), "[0]");

	auto filtered = Scan::Plan(connection, snapshot, Predicate::Parse("id > 1 AND day = DATE '2024-01-01'"));
	EXPECT_EQ(filtered.SkippedFiles(), 0u);
	EXPECT_EQ(ScanColumns(connection, filtered), "id BIGINT, name VARCHAR, day DATE, price DECIMAL(10,2)");
	EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*) FROM (" + filtered.Sql() + ")"), "[0]");
}

TEST(Scan, ATableWhoseFilesWereAllRemovedIsEmpty) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteParquet(connection, dir.Path() / "a.parquet", "SELECT 1::BIGINT AS id");
	WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet")});
	WriteCommit(dir.Path(), 1, {RemoveAction("a.parquet")});
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()));
	EXPECT_EQ(ScanColumns(connection, scan), "id BIGINT");
	EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*) FROM (" + scan.Sql() + ")"), "[0]");
}

TEST(Scan, AMissingDataFileIsNotFound) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteParquet(connection, dir.Path() / "present.parquet", "SELECT 1::BIGINT AS id");
	WriteCommit(dir.Path(), 0,
	            {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("present.parquet"),
	             AddAction("missing.parquet")});
	auto snapshot = Snapshot::Load(connection, dir.Path());
	try {
		Scan::Plan(connection, snapshot);
		FAIL() << "expected NotFoundError";
	} catch (const NotFoundError &e) {
		std::string message = e.what();
		EXPECT_NE(message.find("data file missing"), std::string::npos) << message;
		EXPECT_NE(message.find("missing.parquet"), std::string::npos) << message;
	}
}

TEST(Scan, SkipsFilesByStatsAndStillReturnsExactlyTheMatchingRows) {
	TempDir dir;
	auto connection = OpenTestConnection();
	std::vector<json> actions = {ProtocolAction(), MetadataAction({{"id", "long"}, {"name", "string"}})};
	std::string all_files;
	for (int file = 0; file < 4; file++) {
		int64_t low = file * 25 + 1, high = file * 25 + 25;
		auto name = "f" + std::to_string(file) + ".parquet";
		WriteParquet(connection, dir.Path() / name,
		             "SELECT id, 'n' || id AS name FROM range(" + std::to_string(low) + ", " +
		                 std::to_string(high + 1) + ") t(id)");
		actions.push_back(AddAction(name, json::object(), Stats(25, low, high, 0)));
		all_files += (all_files.empty() ? "" : ", ") + QuoteLiteral((dir.Path() / name).string());
	}
	WriteCommit(dir.Path(), 0, actions);
	auto snapshot = Snapshot::Load(connection, dir.Path());

	struct Case {
		std::string filter;
		size_t skipped;
	};
	for (const auto &test : std::vector<Case>{{"id > 50", 2},
	                                          {"id >= 50", 1},
	                                          {"id < 26", 3},
	                                          {"id <= 26", 2},
	                                          {"id = 30", 3},
	                                          {"id == 75", 3},
	                                          {"id BETWEEN 20 AND 30", 2},
	                                          {"id IN (1, 99)", 2},
	                                          {"id != 5", 0},
	                                          {"id IS NULL", 4},
	                                          {"id IS NOT NULL", 0},
	                                          {"id > 50 AND id < 60", 3},
	                                          {"id > 1000", 4},
	                                          {"id > 50 AND name = 'n77'", 2}}) {
		SCOPED_TRACE(test.filter);
		auto scan = Scan::Plan(connection, snapshot, Predicate::Parse(test.filter));
		EXPECT_EQ(scan.SkippedFiles(), test.skipped);
		EXPECT_EQ(scan.Files().size() + scan.SkippedFiles(), 4u);
		// The filter is valid DuckDB SQL as well: the expected rows come straight from the files.
		auto sql_filter = test.filter == "id == 75" ? std::string("id = 75") : test.filter;
		EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*), list(id ORDER BY id), list(name ORDER BY id) FROM (" +
		                                        scan.Sql() + ")"),
		          QueryJsonRows(connection, "SELECT count(*), list(id ORDER BY id), list(name ORDER BY id) FROM "
		                                    "read_parquet([" +
		                                        all_files + "]) WHERE " + sql_filter));
	}
}

TEST(Scan, KeepsFilesWithoutUsableStats) {
	TempDir dir;
	auto connection = OpenTestConnection();
	std::vector<json> actions = {ProtocolAction(), MetadataAction({{"id", "long"}})};
	std::vector<std::string> stats = {Stats(25, 1, 25, 0), "", json{{"numRecords", 25}}.dump(),
	                                  json{{"numRecords", 25}, {"minValues", {{"id", 76}}}}.dump()};
	for (int file = 0; file < 4; file++) {
		auto name = "f" + std::to_string(file) + ".parquet";
		WriteParquet(connection, dir.Path() / name,
		             "SELECT id FROM range(" + std::to_string(file * 25 + 1) + ", " + std::to_string(file * 25 + 26) +
		                 ") t(id)");
		actions.push_back(AddAction(name, json::object(), stats[file]));
	}
	WriteCommit(dir.Path(), 0, actions);
	auto snapshot = Snapshot::Load(connection, dir.Path());

	auto below = Scan::Plan(connection, snapshot, Predicate::Parse("id < 10"));
	EXPECT_EQ(below.SkippedFiles(), 1u); // only the file whose minimum is 76
	EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*), min(id), max(id) FROM (" + below.Sql() + ")"), "[9,1,9]");
	auto above = Scan::Plan(connection, snapshot, Predicate::Parse("id > 80"));
	EXPECT_EQ(above.SkippedFiles(), 1u); // only the file whose maximum is 25
	EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*), min(id), max(id) FROM (" + above.Sql() + ")"), "[20,81,100]");
}

TEST(Scan, FiltersTablesWithoutAnyStats) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteParquet(connection, dir.Path() / "a.parquet", "SELECT id FROM range(1, 51) t(id)");
	WriteParquet(connection, dir.Path() / "b.parquet", "SELECT id FROM range(51, 101) t(id)");
	WriteCommit(dir.Path(), 0,
	            {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet"), AddAction("b.parquet")});
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()), Predicate::Parse("id > 90"));
	EXPECT_EQ(scan.SkippedFiles(), 0u);
	EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*), min(id), max(id) FROM (" + scan.Sql() + ")"), "[10,91,100]");
}

TEST(Scan, PrunesPartitions) {
	TempDir dir;
	auto connection = OpenTestConnection();
	struct File {
		std::string name;
		json part;
		std::string ids;
	};
	std::vector<File> files = {{"p1.parquet", "1", "1, 2, 3"},
	                           {"p2.parquet", "2", "4, 5, 6"},
	                           {"p2b.parquet", "2", "7"},
	                           {"p3.parquet", "3", "8, 9"},
	                           {"pnull.parquet", nullptr, "10"}};
	std::vector<json> actions = {ProtocolAction(), MetadataAction({{"id", "long"}, {"part", "integer"}}, {"part"})};
	for (const auto &file : files) {
		WriteParquet(connection, dir.Path() / file.name, "SELECT unnest([" + file.ids + "])::BIGINT AS id");
		actions.push_back(AddAction(file.name, {{"part", file.part}}));
	}
	WriteCommit(dir.Path(), 0, actions);
	auto snapshot = Snapshot::Load(connection, dir.Path());

	struct Case {
		std::string filter;
		size_t skipped;
		std::string rows;
	};
	for (const auto &test : std::vector<Case>{
	         {"part = 2", 3, "[4,2]\n[5,2]\n[6,2]\n[7,2]"},
	         {"part IN (1, 3)", 3, "[1,1]\n[2,1]\n[3,1]\n[8,3]\n[9,3]"},
	         {"part IS NULL", 4, "[10,null]"},
	         {"part IS NOT NULL", 1, "[1,1]\n[2,1]\n[3,1]\n[4,2]\n[5,2]\n[6,2]\n[7,2]\n[8,3]\n[9,3]"},
	         {"part != 2", 3, "[1,1]\n[2,1]\n[3,1]\n[8,3]\n[9,3]"},
	         {"part >= 2 AND id < 5", 2, "[4,2]"},
	         {"part = 4", 5, ""},
	     }) {
		SCOPED_TRACE(test.filter);
		auto scan = Scan::Plan(connection, snapshot, Predicate::Parse(test.filter));
		EXPECT_EQ(scan.SkippedFiles(), test.skipped);
		EXPECT_EQ(ScanRows(connection, scan, "id"), test.rows);
	}
}

TEST(Scan, PrunesPartitionsAndStatsTogether) {
	TempDir dir;
	auto connection = OpenTestConnection();
	std::vector<json> actions = {ProtocolAction(), MetadataAction({{"id", "long"}, {"region", "string"}}, {"region"})};
	int file = 0;
	for (const std::string region : {"eu", "us"}) {
		for (int64_t low : {1, 101}) {
			auto name = "f" + std::to_string(file++) + ".parquet";
			WriteParquet(connection, dir.Path() / name,
			             "SELECT id FROM range(" + std::to_string(low) + ", " + std::to_string(low + 100) + ") t(id)");
			actions.push_back(AddAction(name, {{"region", region}}, Stats(100, low, low + 99, 0)));
		}
	}
	WriteCommit(dir.Path(), 0, actions);
	auto scan =
	    Scan::Plan(connection, Snapshot::Load(connection, dir.Path()), Predicate::Parse("region = 'us' AND id > 150"));
	EXPECT_EQ(scan.SkippedFiles(), 3u);
	EXPECT_EQ(QueryJsonRows(connection,
	                        "SELECT count(*), min(id), max(id), min(region), max(region) FROM (" + scan.Sql() + ")"),
	          "[50,151,200,\"us\",\"us\"]");
}

TEST(Scan, PartitionColumnsMayBeNamedLikeAnything) {
	TempDir dir;
	auto connection = OpenTestConnection();
	// Partition columns whose names a planner might use for itself.
	std::vector<json> actions = {
	    ProtocolAction(), MetadataAction({{"id", "long"}, {"idx", "integer"}, {"stats", "string"}}, {"idx", "stats"})};
	for (int file = 0; file < 3; file++) {
		auto name = "f" + std::to_string(file) + ".parquet";
		WriteParquet(connection, dir.Path() / name, "SELECT " + std::to_string(file) + "::BIGINT AS id");
		actions.push_back(AddAction(name, {{"idx", std::to_string(10 + file)}, {"stats", "s" + std::to_string(file)}},
		                            Stats(1, file, file, 0)));
	}
	WriteCommit(dir.Path(), 0, actions);
	auto snapshot = Snapshot::Load(connection, dir.Path());
	auto by_idx = Scan::Plan(connection, snapshot, Predicate::Parse("idx = 11"));
	EXPECT_EQ(by_idx.SkippedFiles(), 2u);
	EXPECT_EQ(ScanRows(connection, by_idx, "id"), "[1,11,\"s1\"]");
	auto by_stats = Scan::Plan(connection, snapshot, Predicate::Parse("stats = 's2' AND id >= 0"));
	EXPECT_EQ(by_stats.SkippedFiles(), 2u);
	EXPECT_EQ(ScanRows(connection, by_stats, "id"), "[2,12,\"s2\"]");
}

TEST(Scan, LeavesOutRowsMarkedByDeletionVectors) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteParquet(connection, dir.Path() / "a.parquet", "SELECT id FROM range(0, 10) t(id)");
	WriteParquet(connection, dir.Path() / "b.parquet", "SELECT id FROM range(10, 13) t(id)");
	auto protocol = ProtocolAction(3, 7);
	protocol["protocol"]["readerFeatures"] = {"deletionVectors"};
	protocol["protocol"]["writerFeatures"] = {"deletionVectors"};
	auto with_dv = AddAction("a.parquet");
	with_dv["add"]["deletionVector"] = InlineDeletionVector({2, 5, 9});
	WriteCommit(dir.Path(), 0,
	            {protocol, MetadataAction({{"id", "long"}}), AddAction("a.parquet"), AddAction("b.parquet")});
	WriteCommit(dir.Path(), 1, {RemoveAction("a.parquet"), with_dv});
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()));
	EXPECT_EQ(QueryJsonRows(connection, "SELECT list(id ORDER BY id) FROM (" + scan.Sql() + ")"),
	          "[[0,1,3,4,6,7,8,10,11,12]]");
	auto filtered = Scan::Plan(connection, Snapshot::Load(connection, dir.Path()), Predicate::Parse("id < 6"));
	EXPECT_EQ(QueryJsonRows(connection, "SELECT list(id ORDER BY id) FROM (" + filtered.Sql() + ")"), "[[0,1,3,4]]");
	auto before = Scan::Plan(connection, Snapshot::Load(connection, dir.Path(), AtVersion(0)));
	EXPECT_EQ(QueryJsonRows(connection, "SELECT count(*) FROM (" + before.Sql() + ")"), "[13]");
}

} // namespace deltaduck
