// Writer protocol checks: a table's writer features are honoured or the write is refused naming them.

#include "common/error.hpp"
#include "delta/snapshot.hpp"
#include "delta/table_features.hpp"
#include "delta/writer.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

TEST_F(WriterFeatures, ConstraintsAndColumnMappingInUseAreRefused) {
	MakeTable({{"minReaderVersion", 1}, {"minWriterVersion", 3}}, {{"delta.constraints.positive", "id > 0"}});
	EXPECT_NE(Refusal(delta::WriteMode::APPEND).find("CHECK constraints"), std::string::npos);
	MakeTable({{"minReaderVersion", 2}, {"minWriterVersion", 5}}, {{"delta.columnMapping.mode", "name"}});
	EXPECT_NE(Refusal(delta::WriteMode::APPEND).find("column mapping"), std::string::npos);
	// The same versions without the features in use need nothing from the writer.
	MakeTable({{"minReaderVersion", 2}, {"minWriterVersion", 5}});
	EXPECT_EQ(Write(delta::WriteMode::APPEND).version, 1);
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
