#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/main/cli_test.hpp"

#include <algorithm>

namespace deltaduck {

namespace {

//! A two-version table written by DuckDB (data) and by hand (log): version 0 adds two files of a
//! partitioned table, version 1 removes one and adds another.
class DeltaCommandTest : public CliTest {
protected:
	std::filesystem::path table;

	void SetUp() override {
		CliTest::SetUp();
		table = dir / "sales";
		std::filesystem::create_directories(table / "region=north");
		std::filesystem::create_directories(table / "region=south");
		auto data = [&](const std::string &file, int first, int count) {
			auto result = Run({"query", "--data", table.string(),
			                   "COPY (SELECT CAST(i AS BIGINT) AS id, i * 1.5 AS amount FROM range(" +
			                       std::to_string(first) + ", " + std::to_string(first + count) + ") t(i)) TO '" +
			                       (table / file).string() + "' (FORMAT parquet)"});
			ASSERT_EQ(result.status, 0) << result.err;
		};
		data("region=north/a.parquet", 0, 10);
		data("region=south/b.parquet", 10, 5);
		data("region=south/c.parquet", 100, 3);
		auto add = [](const std::string &path, const std::string &region, int first, int count) {
			return R"({"add":{"path":")" + path + R"(","partitionValues":{"region":")" + region +
			       R"("},"size":1,"modificationTime":1,"dataChange":true,"stats":"{\"numRecords\":)" +
			       std::to_string(count) + R"(,\"minValues\":{\"id\":)" + std::to_string(first) +
			       R"(},\"maxValues\":{\"id\":)" + std::to_string(first + count - 1) +
			       R"(},\"nullCount\":{\"id\":0}}"}})" + "\n";
		};
		WriteFile(
		    table / "_delta_log" / "00000000000000000000.json",
		    R"({"commitInfo":{"timestamp":1700000000000,"operation":"WRITE","operationParameters":{"mode":"ErrorIfExists"}}})"
		    "\n"
		    R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
		    "\n"
		    R"({"metaData":{"id":"t","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"amount\",\"type\":\"decimal(10,1)\",\"nullable\":true,\"metadata\":{}},{\"name\":\"region\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":["region"],"configuration":{}}})"
		    "\n" +
		        add("region=north/a.parquet", "north", 0, 10) + add("region=south/b.parquet", "south", 10, 5));
		WriteFile(
		    table / "_delta_log" / "00000000000000000001.json",
		    R"({"commitInfo":{"timestamp":1700000100000,"operation":"DELETE","operationParameters":{"predicate":"id >= 10"}}})"
		    "\n"
		    R"({"remove":{"path":"region=south/b.parquet","deletionTimestamp":1700000100000,"dataChange":true}})"
		    "\n" +
		        add("region=south/c.parquet", "south", 100, 3));
	}
};

} // namespace

TEST_F(DeltaCommandTest, ScanReadsTheLatestVersionWithPartitionValues) {
	auto result = Run({"delta", "scan", table.string(), "--format", "csv"});
	ASSERT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out.substr(0, result.out.find('\n')), "id,amount,region");
	EXPECT_NE(result.out.find("\n100,150.0,south\n"), std::string::npos) << result.out;
	EXPECT_EQ(result.out.find("\n10,"), std::string::npos) << result.out; // removed in version 1
	EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1 + 10 + 3);
}

TEST_F(DeltaCommandTest, ScanTravelsToAnOlderVersion) {
	auto result = Run({"delta", "scan", table.string(), "--version", "0", "--format", "csv"});
	ASSERT_EQ(result.status, 0) << result.err;
	EXPECT_NE(result.out.find("\n14,21.0,south\n"), std::string::npos) << result.out;
	EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1 + 15);
	result = Run({"delta", "scan", table.string(), "--version", "7"});
	EXPECT_EQ(result.status, 1);
	EXPECT_NE(result.err.find("version 7"), std::string::npos) << result.err;
}

TEST_F(DeltaCommandTest, WhereSkipsFilesAndFiltersRows) {
	auto result = Run({"delta", "scan", table.string(), "--where", "id >= 100", "--format", "csv"});
	ASSERT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "id,amount,region\n100,150.0,south\n101,151.5,south\n102,153.0,south\n");
	EXPECT_NE(result.err.find("reading 1 of 2 files"), std::string::npos) << result.err;
	result = Run({"delta", "scan", table.string(), "--where", "region = 'north' AND id < 2", "--format", "csv"});
	EXPECT_EQ(result.out, "id,amount,region\n0,0.0,north\n1,1.5,north\n");
	result = Run({"delta", "scan", table.string(), "--where", "id = 1 OR id = 2"});
	EXPECT_EQ(result.status, 1);
	EXPECT_NE(result.err.find("OR is not supported"), std::string::npos) << result.err;
}

TEST_F(DeltaCommandTest, HistoryListsCommitsNewestFirst) {
	// Commit times are the commit files' times (the table has no In-Commit Timestamps; commitInfo.timestamp is
	// only what the writer's clock said).
	SetModificationTimeMs(table / "_delta_log" / "00000000000000000000.json", 1700000000000);
	SetModificationTimeMs(table / "_delta_log" / "00000000000000000001.json", 1700000100000);
	auto result = Run({"delta", "history", table.string(), "--format", "csv"});
	ASSERT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "version,timestamp,operation,parameters\n"
	                      "1,2023-11-14T22:15:00Z,DELETE,\"{\"\"predicate\"\":\"\"id >= 10\"\"}\"\n"
	                      "0,2023-11-14T22:13:20Z,WRITE,\"{\"\"mode\"\":\"\"ErrorIfExists\"\"}\"\n");
}

TEST_F(DeltaCommandTest, DescribeSummarisesTheTable) {
	auto result = Run({"delta", "describe", table.string()});
	ASSERT_EQ(result.status, 0) << result.err;
	for (const char *expected : {"version:    1", "partitions: region", "files:      2", "rows:       13",
	                             "protocol:   reader 1, writer 2", "amount  DECIMAL(10,1)"}) {
		EXPECT_NE(result.out.find(expected), std::string::npos) << expected << " in\n" << result.out;
	}
}

TEST_F(DeltaCommandTest, DescribeShowsATableThisReaderCannotRead) {
	auto log = table / "_delta_log" / "00000000000000000002.json";
	WriteFile(log, R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["futureFeature"],)"
	               R"("writerFeatures":["futureFeature"]}})"
	               "\n");
	auto result = Run({"delta", "describe", table.string()});
	ASSERT_EQ(result.status, 0) << result.err;
	for (const char *expected : {"version:    2", "reader: futureFeature", "readable:   no: unsupported Delta reader",
	                             "amount  DECIMAL(10,1)"}) {
		EXPECT_NE(result.out.find(expected), std::string::npos) << expected << " in\n" << result.out;
	}
	result = Run({"delta", "scan", table.string()});
	EXPECT_EQ(result.status, 1);
	EXPECT_NE(result.err.find("futureFeature"), std::string::npos) << result.err;
}

TEST_F(DeltaCommandTest, NotATableIsAClearError) {
	auto result = Run({"delta", "scan", dir.string()});
	EXPECT_EQ(result.status, 1);
	EXPECT_NE(result.err.find("not a Delta table"), std::string::npos) << result.err;
	result = Run({"delta", "describe", (dir / "nowhere").string()});
	EXPECT_EQ(result.status, 1);
	EXPECT_NE(result.err.find("not found"), std::string::npos) << result.err;
}

} // namespace deltaduck
