#include "tests/unit/main/cli_test.hpp"

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
	              "SELECT count(*) AS n, count(DISTINCT city) AS cities FROM read_csv('raw/climate/*.csv')"});
	EXPECT_EQ(result.out, "n,cities\n200,4\n") << result.err;
	result = Run({"sample", "--data", data, "--folder", "../escape"});
	EXPECT_NE(result.status, 0);
	EXPECT_FALSE(std::filesystem::exists(dir / "escape"));
}

} // namespace deltaduck
