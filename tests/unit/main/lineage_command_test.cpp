#include "tests/support/process.hpp"
#include "tests/unit/main/cli_test.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <sys/wait.h>

namespace deltaduck {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

class LineageCommandTest : public CliTest {
protected:
	std::vector<json> ListLineage() {
		auto result = Run({"lineage", "list", "--data", dir / "data"});
		EXPECT_EQ(result.status, 0) << result.err;
		std::vector<json> records;
		std::istringstream lines(result.out);
		for (std::string line; std::getline(lines, line);) {
			records.push_back(json::parse(line));
		}
		return records;
	}
};

} // namespace

TEST_F(LineageCommandTest, ReplyPrintsTheDuckWorkersAnswer) {
	auto result = Run({"query", "--data", dir / "data", "--reply", "--contents", "Table,Message", "--render", "3",
	                   "SELECT i AS n FROM range(10) t(i)"});
	ASSERT_EQ(result.status, 0) << result.err;
	auto reply = json::parse(result.out);
	EXPECT_EQ(reply["data"]["table"]["items"].size(), 3u);
	EXPECT_EQ(reply["data"]["message"], "Queried Result Size: 10, 1");
	auto failed = Run({"query", "--data", dir / "data", "--reply", "SELECT * FROM nowhere"});
	EXPECT_NE(failed.status, 0);
	EXPECT_EQ(json::parse(failed.out)["error"]["type"], "NotFound");
}

TEST_F(LineageCommandTest, TheCommandLineUsesTheSameSandbox) {
	for (const char *sql : {"SET threads = 1", "INSTALL httpfs", "SELECT * FROM read_text('/etc/hostname')"}) {
		auto result = Run({"query", "--data", dir / "data", sql});
		EXPECT_NE(result.status, 0) << sql;
		EXPECT_NE(result.err.find("Error (Permission)"), std::string::npos) << sql << ": " << result.err;
	}
}

TEST_F(LineageCommandTest, TwoProcessesShareOneCatalogWithoutLosingRecords) {
	// Each process records 15 tables; the catalog file is taken in short turns, so all 30 land.
	std::vector<pid_t> pids;
	for (const char *worker : {"p1", "p2"}) {
		std::string sql;
		for (int i = 0; i < 15; i++) {
			sql += "CREATE TABLE " + std::string(worker) + "_t" + std::to_string(i) + " AS SELECT " +
			       std::to_string(i) + " AS x;";
		}
		pids.push_back(StartDeltaDuck(
		    {"query", "--data", (dir / "data").string(), "--reply", "--worker-id", worker, sql},
		    (dir / (std::string(worker) + ".out")).string(), (dir / (std::string(worker) + ".err")).string()));
	}
	for (auto pid : pids) {
		int status = 0;
		ASSERT_EQ(::waitpid(pid, &status, 0), pid);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	auto records = ListLineage();
	EXPECT_EQ(records.size(), 30u);
	std::set<std::string> locations;
	for (const auto &record : records) {
		locations.insert(record["location"]);
	}
	EXPECT_EQ(locations, (std::set<std::string>{"p1", "p2"}));
}

TEST_F(LineageCommandTest, ProcessesRacingToCreateTheCatalogAllStart) {
	// The catalog file appears whole (linked into place), so a process never opens it half-written.
	std::vector<pid_t> pids;
	for (int round = 0; round < 20; round++) {
		for (int side = 0; side < 2; side++) {
			pids.push_back(StartDeltaDuck(
			    {"query", "--data", (dir / ("data" + std::to_string(round))).string(), "--reply", "SELECT 1"}));
		}
	}
	for (auto pid : pids) {
		int status = 0;
		ASSERT_EQ(::waitpid(pid, &status, 0), pid);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

TEST_F(LineageCommandTest, ExportWritesOpenLineageEventsThatValidate) {
	auto data = dir / "data";
	ASSERT_EQ(
	    Run({"ingest", "--data", data, "--source", "SELECT i AS id, i * 2 AS v FROM range(5) t(i)", "--table", "src"})
	        .status,
	    0);
	auto made = Run({"query", "--data", data, "--reply", "--worker-id", "w",
	                 "CREATE TABLE d AS SELECT s.id, s.v AS value, s.v + 1 AS plus FROM =(^)src s"});
	ASSERT_EQ(made.status, 0) << made.out << made.err;
	auto exported = Run({"lineage", "export", "--data", data, "--out", dir / "events.jsonl"});
	ASSERT_EQ(exported.status, 0) << exported.err;
	std::ifstream in(dir / "events.jsonl");
	std::string line;
	ASSERT_TRUE(std::getline(in, line));
	auto event = json::parse(line);
	EXPECT_EQ(event["eventType"], "COMPLETE");
	EXPECT_EQ(event["inputs"][0]["namespace"], "file");
	EXPECT_EQ(event["inputs"][0]["name"], fs::canonical(data / "deltalake" / "src").string());
	EXPECT_EQ(event["inputs"][0]["facets"]["version"]["datasetVersion"], "0");
	const auto &fields = event["outputs"][0]["facets"]["columnLineage"]["fields"];
	EXPECT_EQ(fields["value"]["inputFields"][0]["field"], "v");
	EXPECT_EQ(fields["value"]["inputFields"][0]["transformations"][0]["subtype"], "IDENTITY");
	EXPECT_EQ(fields["plus"]["inputFields"][0]["transformations"][0]["subtype"], "TRANSFORMATION");
	EXPECT_EQ(event["outputs"][0]["facets"]["schema"]["fields"][0], json({{"name", "id"}, {"type", "BIGINT"}}));
	std::string schemas = std::string(DELTADUCK_SOURCE_DIR) + "/deps/openlineage-schemas";
	if (!fs::exists(schemas + "/OpenLineage.json")) {
		GTEST_SKIP() << "OpenLineage schemas not installed (scripts/setup.sh needs cargo): schema check skipped";
	}
	auto command = std::string(DELTADUCK_VENV_PYTHON) + " " + DELTADUCK_SOURCE_DIR +
	               "/tests/lineage/validate_openlineage.py --strict --no-fetch --schemas " + schemas + " " +
	               (dir / "events.jsonl").string() + " > " + (dir / "validate.log").string() + " 2>&1";
	int status = std::system(command.c_str());
	std::ifstream log(dir / "validate.log");
	std::string output((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
	EXPECT_EQ(status, 0) << output;
}

} // namespace deltaduck
