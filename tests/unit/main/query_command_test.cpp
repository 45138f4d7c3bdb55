#include "tests/unit/main/cli_test.hpp"

#include <algorithm>
#include <filesystem>

namespace deltaduck {

namespace {

class QueryCommandTest : public CliTest {};

} // namespace

TEST_F(QueryCommandTest, CsvPrintsHeaderThenRows) {
	auto result = Run({"query", "--data", dir / "data", "--format", "csv", "SELECT 42 AS answer"});
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "answer\n42\n");
}

TEST_F(QueryCommandTest, CsvQuotesFieldsAndLeavesNullEmpty) {
	auto result = Run({"query", "--data", dir / "data", "--format", "csv",
	                   "SELECT 'a,b' AS \"x,y\", 'say \"hi\"' AS q, NULL AS n, 'two' || chr(10) || 'lines' AS m"});
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "\"x,y\",q,n,m\n\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\"\n");
}

TEST_F(QueryCommandTest, JsonPrintsOneTypedObjectPerLine) {
	auto result = Run({"query", "--data", dir / "data", "--format", "json",
	                   "SELECT i AS n, 'v' || i AS s, [i] AS l FROM range(2) t(i)"});
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "{\"n\":0,\"s\":\"v0\",\"l\":[0]}\n{\"n\":1,\"s\":\"v1\",\"l\":[1]}\n");
}

TEST_F(QueryCommandTest, TableShowsNamesTypesAndCountsRowsBeyondTheShownOnes) {
	auto result = Run({"query", "--data", dir / "data", "SELECT i FROM range(100) t(i)"});
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_NE(result.out.find("│ i "), std::string::npos) << result.out;
	EXPECT_NE(result.out.find("BIGINT"), std::string::npos);
	EXPECT_NE(result.out.find("100 rows (40 shown)"), std::string::npos);
	EXPECT_EQ(result.out.find("│ 40 "), std::string::npos); // row 41 is not printed
}

TEST_F(QueryCommandTest, ReadsSqlFromStandardInput) {
	auto result = Run({"query", "--data", dir / "data", "--format", "csv", "-"}, "SELECT 1 + 1 AS two;\n");
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "two\n2\n");
}

TEST_F(QueryCommandTest, RelativePathsResolveInsideTheDataDirectory) {
	auto data = dir / "data";
	WriteFile(data / "raw" / "people" / "a.csv", "name,age\nada,36\ngrace,45\n");
	auto result =
	    Run({"query", "--data", data, "--format", "csv", "SELECT sum(age) AS total FROM read_csv('raw/people/*.csv')"});
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "total\n81\n");
}

TEST_F(QueryCommandTest, ErrorsGoToStderrWithExitStatusOne) {
	auto result = Run({"query", "--data", dir / "data", "SELEC 1"});
	EXPECT_EQ(result.status, 1);
	EXPECT_EQ(result.out, "");
	EXPECT_NE(result.err.find("syntax error"), std::string::npos) << result.err;

	result = Run({"query", "--data", dir / "data", "SELECT * FROM read_csv('/etc/passwd')"});
	EXPECT_EQ(result.status, 1);
	EXPECT_NE(result.err.find("Permission"), std::string::npos) << result.err;

	result = Run({"query", "--data", dir / "data", "--format", "xml", "SELECT 1"});
	EXPECT_NE(result.status, 0);
	EXPECT_NE(result.err.find("xml"), std::string::npos) << result.err;
}

TEST_F(QueryCommandTest, HelpExplainsTheCommands) {
	auto result = Run({"--help"});
	EXPECT_EQ(result.status, 0);
	EXPECT_NE(result.out.find("query"), std::string::npos);
	EXPECT_NE(result.out.find("sample"), std::string::npos);
	result = Run({"query", "--help"});
	EXPECT_EQ(result.status, 0);
	EXPECT_NE(result.out.find("--format"), std::string::npos);
	EXPECT_NE(result.out.find("--data"), std::string::npos);
	EXPECT_NE(result.out.find("Examples"), std::string::npos);
}

TEST_F(QueryCommandTest, SampleWritesACsvFolderThatQueriesBack) {
	auto data = dir / "data";
	auto result = Run({"sample", "--data", data, "--files", "2", "--rows", "100"});
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_TRUE(std::filesystem::exists(data / "raw" / "climate" / "part-1.csv"));
	result = Run({"query", "--data", data, "--format", "csv",
	              "SELECT count(*) AS n, typeof(min(\"Date Time\")) AS t, min(\"T (degC)\") > -40 AS cold, "
	              "max(\"T (degC)\") < 45 AS hot FROM read_csv('raw/climate/*.csv')"});
	EXPECT_EQ(result.out, "n,t,cold,hot\n200,TIMESTAMP,true,true\n") << result.err;
	result = Run({"sample", "--data", data, "--folder", "../escape"});
	EXPECT_NE(result.status, 0);
	EXPECT_FALSE(std::filesystem::exists(dir / "escape"));
}

} // namespace deltaduck

namespace deltaduck {

TEST_F(QueryCommandTest, DeltaTablesAreQueriedWithTheirMarker) {
	auto data = dir / "data";
	auto table = data / "deltalake" / "people";
	std::filesystem::create_directories(table);
	// SQL may not write into deltalake/: the data file is written beside it and moved in.
	std::filesystem::create_directories(data / "raw");
	auto write = Run({"query", "--data", data,
	                  "COPY (SELECT 'ada' AS name, 36 AS age UNION ALL SELECT 'bob', 50) TO "
	                  "'raw/part-0.parquet' (FORMAT parquet)"});
	ASSERT_EQ(write.status, 0) << write.err;
	std::filesystem::rename(data / "raw" / "part-0.parquet", table / "part-0.parquet");
	WriteFile(
	    table / "_delta_log" / "00000000000000000000.json",
	    R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
	    "\n"
	    R"({"metaData":{"id":"p","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},{\"name\":\"age\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{}}})"
	    "\n"
	    R"({"add":{"path":"part-0.parquet","partitionValues":{},"size":1,"modificationTime":1,"dataChange":true}})"
	    "\n");
	// A DuckDB table of the same name does not shadow the Delta table.
	auto result = Run({"query", "--data", data, "--format", "csv",
	                   "CREATE TABLE people AS SELECT 'shadow' AS name, 0 AS age; "
	                   "SELECT people.name, p2.age FROM =(^)people JOIN =(^)people@0 p2 USING (name) ORDER BY 1"});
	EXPECT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out, "name,age\nada,36\nbob,50\n");
	result = Run({"query", "--data", data, "SELECT * FROM =(^)nobody"});
	EXPECT_EQ(result.status, 1);
	EXPECT_NE(result.err.find("Delta table not found: nobody"), std::string::npos) << result.err;
	result = Run({"query", "--data", data, "--format", "csv", "SELECT '=(^)people' AS literal"});
	EXPECT_EQ(result.out, "literal\n=(^)people\n");
}

TEST_F(QueryCommandTest, QuackReturnsRandomIntegers) {
	auto result = Run({"query", "--data", dir / "data", "--format", "csv", "=(^)quack"});
	ASSERT_EQ(result.status, 0) << result.err;
	EXPECT_EQ(result.out.substr(0, result.out.find('\n')), "Data One,Data Two,Data Three");
	EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 11);
}

} // namespace deltaduck
