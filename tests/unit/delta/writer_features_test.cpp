// Writer protocol checks: a table's writer features are honoured or the write is refused naming them.

#include "common/error.hpp"
#include "delta/constraints.hpp"
#include "delta/scan.hpp"
#include "delta/snapshot.hpp"
#include "delta/table_features.hpp"
#include "delta/writer.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

namespace deltaduck {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

class WriterFeatures : public ::testing::Test {
protected:
	TempDir temp;
	fs::path table;
	Connection connection = OpenTestConnection();

	//! An empty table (id BIGINT) with this protocol and configuration, as another engine may have made it.
	void MakeTable(const json &protocol, const json &configuration = json::object()) {
		table = temp.Path() / "t";
		fs::create_directories(table / "_delta_log");
		json schema = {
		    {"type", "struct"},
		    {"fields", {{{"name", "id"}, {"type", "long"}, {"nullable", true}, {"metadata", json::object()}}}}};
		json metadata = {{"id", "t"},
		                 {"format", {{"provider", "parquet"}, {"options", json::object()}}},
		                 {"schemaString", schema.dump()},
		                 {"partitionColumns", json::array()},
		                 {"configuration", configuration},
		                 {"createdTime", 1700000000000}};
		std::ofstream(table / "_delta_log" / "00000000000000000000.json")
		    << json({{"protocol", protocol}}).dump() << "\n"
		    << json({{"metaData", metadata}}).dump() << "\n";
	}

	delta::WriteResult Write(delta::WriteMode mode, const std::string &select = "SELECT 1::BIGINT AS id",
	                         bool merge_schema = false) {
		delta::WriteOptions options;
		options.mode = mode;
		options.merge_schema = merge_schema;
		return delta::WriteTable(connection, table, select, options);
	}

	std::string Refusal(delta::WriteMode mode) {
		try {
			Write(mode);
		} catch (const UnsupportedError &e) {
			return e.what();
		}
		return "";
	}
};

} // namespace

TEST_F(WriterFeatures, FeaturesThisWriterLacksAreRefusedByName) {
	MakeTable({{"minReaderVersion", 3},
	           {"minWriterVersion", 7},
	           {"readerFeatures", json::array()},
	           {"writerFeatures", {"rowTracking", "domainMetadata", "futureFeature"}}});
	auto refusal = Refusal(delta::WriteMode::APPEND);
	EXPECT_NE(refusal.find("rowTracking"), std::string::npos) << refusal;
	EXPECT_NE(refusal.find("domainMetadata"), std::string::npos) << refusal;
	EXPECT_NE(refusal.find("futureFeature"), std::string::npos) << refusal;
	EXPECT_EQ(delta::Snapshot::Load(connection, table)->Version(), 0); // nothing was committed
}

TEST_F(WriterFeatures, AppendOnlyTablesTakeAppendsButNoOverwrite) {
	MakeTable({{"minReaderVersion", 1}, {"minWriterVersion", 2}}, {{"delta.appendOnly", "true"}});
	EXPECT_EQ(Write(delta::WriteMode::APPEND).version, 1);
	EXPECT_NE(Refusal(delta::WriteMode::OVERWRITE).find("append-only"), std::string::npos);
}

TEST_F(WriterFeatures, CheckConstraintsAreEnforced) {
	MakeTable({{"minReaderVersion", 1}, {"minWriterVersion", 3}},
	          {{"delta.constraints.positive", "`id` > 0"}, {"delta.constraints.small", "id < 100"}});
	EXPECT_EQ(Write(delta::WriteMode::APPEND, "SELECT range::BIGINT + 1 AS id FROM range(99)").version, 1);
	auto files = [&] {
		std::set<std::string> names;
		for (const auto &entry : fs::recursive_directory_iterator(table)) {
			names.insert(entry.path().string());
		}
		return names;
	};
	auto before = files();
	// A row breaking a constraint (false, or NULL: the condition must be true) refuses the write, naming it.
	for (const char *source : {"SELECT range::BIGINT AS id FROM range(5)", "SELECT NULL::BIGINT AS id",
	                           "SELECT 100::BIGINT AS id UNION ALL SELECT 7"}) {
		try {
			Write(delta::WriteMode::APPEND, source);
			FAIL() << "accepted: " << source;
		} catch (const InvalidInputError &e) {
			std::string what = e.what();
			EXPECT_TRUE(what.find("constraint positive (`id` > 0)") != std::string::npos ||
			            what.find("constraint small (id < 100)") != std::string::npos)
			    << what;
			EXPECT_NE(what.find("nothing was written"), std::string::npos) << what;
		}
		EXPECT_EQ(files(), before) << source;
	}
	EXPECT_EQ(delta::Snapshot::Load(connection, table)->Version(), 1);
	// A constraint DuckDB cannot evaluate is refused before anything is written.
	MakeTable({{"minReaderVersion", 1}, {"minWriterVersion", 3}},
	          {{"delta.constraints.spark_only", "spark_only_function(id) > 0"}});
	auto refusal = Refusal(delta::WriteMode::APPEND);
	EXPECT_NE(refusal.find("spark_only (spark_only_function(id) > 0) cannot be evaluated"), std::string::npos)
	    << refusal;
}

TEST_F(WriterFeatures, ColumnInvariantsAreEnforced) {
	table = temp.Path() / "inv";
	fs::create_directories(table / "_delta_log");
	json invariant = {{"expression", {{"expression", "id >= 10"}}}};
	json schema = {{"type", "struct"},
	               {"fields",
	                {{{"name", "id"},
	                  {"type", "long"},
	                  {"nullable", true},
	                  {"metadata", {{"delta.invariants", invariant.dump()}}}}}}};
	json metadata = {{"id", "t"},
	                 {"format", {{"provider", "parquet"}, {"options", json::object()}}},
	                 {"schemaString", schema.dump()},
	                 {"partitionColumns", json::array()},
	                 {"configuration", json::object()}};
	std::ofstream(table / "_delta_log" / "00000000000000000000.json")
	    << json({{"protocol", {{"minReaderVersion", 1}, {"minWriterVersion", 2}}}}).dump() << "\n"
	    << json({{"metaData", metadata}}).dump() << "\n";
	EXPECT_EQ(Write(delta::WriteMode::APPEND, "SELECT 10::BIGINT AS id").version, 1);
	EXPECT_THROW(Write(delta::WriteMode::APPEND, "SELECT 9::BIGINT AS id"), InvalidInputError);
	EXPECT_EQ(delta::Snapshot::Load(connection, table)->Version(), 1);
}

TEST(Constraints, SparkNamesAndLiteralsBecomeDuckDbs) {
	EXPECT_EQ(delta::DuckDbExpression("`my col` > 0 AND name <> '`x`' AND `a``b` = \"q\""),
	          "\"my col\" > 0 AND name <> '`x`' AND \"a`b\" = 'q'");
	// Spark's backslash escapes: a single backslash, a quote, a newline.
	EXPECT_EQ(delta::DuckDbExpression(R"(c <> '\\' AND d <> 'it\'s' AND e <> "a\nb")"),
	          "c <> '\\' AND d <> 'it''s' AND e <> 'a\nb'");
}

TEST_F(WriterFeatures, ConstraintsThatAreMoreThanAnExpressionAreRefused) {
	// A table's metadata must not run SQL: statements, subqueries and tables are refused before anything runs.
	for (const char *expression :
	     {"true), false); CREATE TABLE pwned AS SELECT 1; SELECT coalesce((true",
	      "(SELECT count(*) FROM duckdb_tables()) >= 0", "id IN (SELECT 1)", "true) FROM range(3) --"}) {
		MakeTable({{"minReaderVersion", 1}, {"minWriterVersion", 3}}, {{"delta.constraints.evil", expression}});
		auto refusal = Refusal(delta::WriteMode::APPEND);
		EXPECT_NE(refusal.find("is refused"), std::string::npos) << expression << ": " << refusal;
		EXPECT_EQ(connection.QueryText("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'pwned'").at(0).at(0),
		          "0");
	}
}

TEST_F(WriterFeatures, ColumnMappingWithoutPhysicalNamesIsRefused) {
	// A column-mapped table whose column has no physical name cannot be written, and says why.
	MakeTable({{"minReaderVersion", 2}, {"minWriterVersion", 5}}, {{"delta.columnMapping.mode", "name"}});
	EXPECT_NE(Refusal(delta::WriteMode::APPEND).find("physical name"), std::string::npos);
	// The same versions without the features in use need nothing from the writer.
	MakeTable({{"minReaderVersion", 2}, {"minWriterVersion", 5}});
	EXPECT_EQ(Write(delta::WriteMode::APPEND).version, 1);
}

TEST_F(WriterFeatures, ColumnMappedTablesAreWrittenWithPhysicalNamesAndFieldIds) {
	// As Spark makes them (mode id): columns `id` and partition `p` stored as col-… with field ids 1 and 2.
	table = temp.Path() / "t";
	fs::create_directories(table / "_delta_log");
	auto field = [](const char *name, const char *type, int id, const char *physical) {
		return json{{"name", name},
		            {"type", type},
		            {"nullable", true},
		            {"metadata", {{"delta.columnMapping.id", id}, {"delta.columnMapping.physicalName", physical}}}};
	};
	json schema = {{"type", "struct"},
	               {"fields", {field("id", "long", 1, "col-5f1e"), field("p", "string", 2, "col-9a0c")}}};
	json metadata = {{"id", "t"},
	                 {"format", {{"provider", "parquet"}, {"options", json::object()}}},
	                 {"schemaString", schema.dump()},
	                 {"partitionColumns", {"p"}},
	                 {"configuration", {{"delta.columnMapping.mode", "id"}, {"delta.columnMapping.maxColumnId", "2"}}},
	                 {"createdTime", 1700000000000}};
	std::ofstream(table / "_delta_log" / "00000000000000000000.json")
	    << json({{"protocol", {{"minReaderVersion", 2}, {"minWriterVersion", 5}}}}).dump() << "\n"
	    << json({{"metaData", metadata}}).dump() << "\n";
	Write(delta::WriteMode::APPEND, "SELECT range::BIGINT AS id, 'a' AS p FROM range(3)");
	Write(delta::WriteMode::APPEND, "SELECT 10::BIGINT AS id, 'b' AS p");
	auto snapshot = delta::Snapshot::Load(connection, table);
	for (const auto &add : snapshot->Files()) {
		EXPECT_EQ(add.partition_values.count("col-9a0c"), 1u) << "partition values keyed by physical name";
		auto file = snapshot->ResolvePath(add.path).string();
		auto columns = connection.QueryText("SELECT name, field_id FROM parquet_schema('" + file +
		                                    "') WHERE name <> 'duckdb_schema'");
		ASSERT_EQ(columns.size(), 1u);
		EXPECT_EQ(columns[0][0], "col-5f1e");
		EXPECT_EQ(columns[0][1], "1");
		EXPECT_NE(add.stats.value_or("").find("col-5f1e"), std::string::npos) << "stats by physical name";
	}
	EXPECT_EQ(QueryJsonRows(connection,
	                        "SELECT id, p FROM (" + delta::Scan::Plan(connection, snapshot).Sql() + ") ORDER BY id"),
	          "[0,\"a\"]\n[1,\"a\"]\n[2,\"a\"]\n[10,\"b\"]");
	// A column added by schema merge would need a physical name and an id of its own: refused, saying why.
	try {
		Write(delta::WriteMode::APPEND, "SELECT 11::BIGINT AS id, 'c' AS p, 1 AS extra", true);
		FAIL() << "a new column was written without a physical name";
	} catch (const Error &e) {
		EXPECT_NE(std::string(e.what()).find("extra"), std::string::npos) << e.what();
	}
	EXPECT_EQ(delta::Snapshot::Load(connection, table)->Version(), 2);
}

TEST_F(WriterFeatures, LegacyFeaturesSurviveTheLiftToTableFeatures) {
	MakeTable({{"minReaderVersion", 1}, {"minWriterVersion", 2}}, {{"delta.appendOnly", "true"}});
	// A naive timestamp column needs timestampNtz, a table feature: the protocol becomes (3, 7).
	Write(delta::WriteMode::APPEND, "SELECT 1::BIGINT AS id, TIMESTAMP '2026-01-01 00:00:00' AS at", true);
	auto protocol = delta::Snapshot::Load(connection, table)->GetProtocol();
	EXPECT_EQ(protocol.min_writer_version, 7);
	auto writers = delta::WriterFeatures(protocol);
	for (const char *feature : {"appendOnly", "invariants", "timestampNtz"}) {
		EXPECT_NE(std::find(writers.begin(), writers.end(), feature), writers.end()) << feature;
	}
	// appendOnly still holds.
	EXPECT_NE(Refusal(delta::WriteMode::OVERWRITE).find("append-only"), std::string::npos);
}

} // namespace deltaduck
