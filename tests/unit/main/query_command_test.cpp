// Runs the real `deltaduck` binary (path from DELTADUCK_BINARY, set by CTest) as a user would.

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace deltaduck {

namespace {

struct CommandResult {
	int status;
	std::string out;
	std::string err;
};

std::string ReadFile(const std::filesystem::path &path) {
	std::string text;
	if (FILE *file = std::fopen(path.c_str(), "rb")) {
		std::array<char, 4096> buffer;
		size_t n;
		while ((n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) {
			text.append(buffer.data(), n);
		}
		std::fclose(file);
	}
	return text;
}

//! Single-quotes an argument for /bin/sh.
std::string ShellQuote(const std::string &arg) {
	std::string out = "'";
	for (char c : arg) {
		out += c == '\'' ? std::string("'\\''") : std::string(1, c);
	}
	return out + "'";
}

class QueryCommandTest : public ::testing::Test {
protected:
	std::filesystem::path dir =
	    std::filesystem::temp_directory_path() / ("deltaduck-cli-" + std::to_string(::getpid()) + "-" +
	                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());

	void SetUp() override {
		std::filesystem::create_directories(dir);
	}
	void TearDown() override {
		std::filesystem::remove_all(dir);
	}

	CommandResult Run(const std::vector<std::string> &args, const std::string &stdin_text = "") {
		const char *binary = std::getenv("DELTADUCK_BINARY");
		std::string command = ShellQuote(binary ? binary : "build/deltaduck");
		for (const auto &arg : args) {
			command += " " + ShellQuote(arg);
		}
		auto in = dir / "stdin", out = dir / "stdout", err = dir / "stderr";
		FILE *file = std::fopen(in.c_str(), "wb");
		std::fwrite(stdin_text.data(), 1, stdin_text.size(), file);
		std::fclose(file);
		command += " <" + ShellQuote(in) + " >" + ShellQuote(out) + " 2>" + ShellQuote(err);
		int status = std::system(command.c_str());
		return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
	}
};

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
	std::filesystem::create_directories(data / "raw" / "people");
	FILE *file = std::fopen((data / "raw" / "people" / "a.csv").c_str(), "w");
	std::fputs("name,age\nada,36\ngrace,45\n", file);
	std::fclose(file);
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
