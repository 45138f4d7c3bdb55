// Concurrent writers: real `deltaduck ingest` processes (DELTADUCK_BINARY) writing one table at once.

#include "delta/log_path.hpp"
#include "delta/scan.hpp"
#include "delta/snapshot.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"
#include "tests/unit/main/cli_test.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace deltaduck {

using namespace delta;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! How one run of the binary ended.
struct Outcome {
	int lane = 0;
	int run = 0;
	int status = -1; // exit status; -1 when it did not exit normally
	std::string out;
	std::string err;
	//! The version the run reports having committed, or -1.
	int64_t version = -1;
};

std::string ReadWholeFile(const fs::path &path) {
	std::ifstream in(path, std::ios::binary);
	return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class Concurrency : public CliTest {
protected:
	fs::path data;

	void SetUp() override {
		CliTest::SetUp();
		data = dir / "data";
		fs::create_directories(data);
	}

	fs::path Table(const std::string &name) const {
		return data / "deltalake" / name;
	}

	//! The arguments of `deltaduck ingest` writing `source` to `table` in `mode`.
	std::vector<std::string> Ingest(const std::string &source, const std::string &table,
	                                const std::string &mode) const {
		return {"ingest", "--data", data.string(), "--source", source, "--table", table, "--mode", mode};
	}

	//! Starts the binary with `args`, its output going to files; returns its pid.
	pid_t Spawn(const std::vector<std::string> &args, const fs::path &out, const fs::path &err) {
		pid_t pid = StartDeltaDuck(args, out.string(), err.string());
		EXPECT_GT(pid, 0) << "cannot start " << DeltaDuckBinary();
		return pid;
	}

	//! Runs `lanes` sequences of `per_lane` runs each, the lanes side by side (their first runs start
	//! together); `args(lane, run)` gives a run's arguments. Returns every outcome, by lane and run.
	std::vector<Outcome> RunLanes(int lanes, int per_lane,
	                              const std::function<std::vector<std::string>(int lane, int run)> &args) {
		std::vector<Outcome> outcomes;
		std::map<pid_t, size_t> running; // pid -> index into outcomes
		auto start = [&](int lane, int run) {
			Outcome outcome;
			outcome.lane = lane;
			outcome.run = run;
			outcomes.push_back(outcome);
			auto stem = dir / ("run-" + std::to_string(lane) + "-" + std::to_string(run));
			auto pid = Spawn(args(lane, run), stem.string() + ".out", stem.string() + ".err");
			if (pid > 0) {
				running[pid] = outcomes.size() - 1;
			}
		};
		for (int lane = 0; lane < lanes; lane++) {
			start(lane, 0);
		}
		auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
		while (!running.empty()) {
			bool reaped = false;
			for (auto it = running.begin(); it != running.end();) {
				int status = 0;
				if (::waitpid(it->first, &status, WNOHANG) != it->first) {
					++it;
					continue;
				}
				reaped = true;
				auto &outcome = outcomes[it->second];
				it = running.erase(it);
				outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
				auto stem = dir / ("run-" + std::to_string(outcome.lane) + "-" + std::to_string(outcome.run));
				outcome.out = ReadWholeFile(stem.string() + ".out");
				outcome.err = ReadWholeFile(stem.string() + ".err");
				std::smatch match;
				static const std::regex VERSION(R"(: version (\d+),)");
				if (outcome.status == 0 && std::regex_search(outcome.out, match, VERSION)) {
					outcome.version = std::stoll(match[1]);
				}
				if (outcome.run + 1 < per_lane) {
					start(outcome.lane, outcome.run + 1);
				}
				// `running` may have changed: start over.
				break;
			}
			if (std::chrono::steady_clock::now() > deadline) {
				for (const auto &[pid, index] : running) {
					::kill(pid, SIGKILL);
					::waitpid(pid, nullptr, 0);
				}
				ADD_FAILURE() << "the writers did not finish in time";
				break;
			}
			if (!reaped) {
				std::this_thread::sleep_for(std::chrono::milliseconds(2));
			}
		}
		std::sort(outcomes.begin(), outcomes.end(), [](const Outcome &a, const Outcome &b) {
			return std::make_pair(a.lane, a.run) < std::make_pair(b.lane, b.run);
		});
		return outcomes;
	}
};

std::vector<int64_t> Range(int64_t count) {
	std::vector<int64_t> out(count);
	for (int64_t i = 0; i < count; i++) {
		out[i] = i;
	}
	return out;
}

size_t CountActions(const std::vector<json> &actions, const std::string &kind) {
	return std::count_if(actions.begin(), actions.end(), [&](const json &a) { return a.contains(kind); });
}

//! Row counts by `run` in the table at `version` (or the latest).
std::map<int64_t, int64_t> RowsByRun(Connection &connection, const fs::path &root,
                                     std::optional<int64_t> version = {}) {
	VersionSpec spec;
	spec.version = version;
	auto scan = Scan::Plan(connection, Snapshot::Load(connection, root, spec));
	auto rows = QueryJsonRows(connection, "SELECT run, count(*) FROM (" + scan.Sql() + ") GROUP BY run ORDER BY run");
	std::map<int64_t, int64_t> counts;
	std::stringstream lines(rows);
	std::string line;
	while (std::getline(lines, line)) {
		auto row = json::parse(line);
		counts[row[0].get<int64_t>()] = row[1].get<int64_t>();
	}
	return counts;
}

//! Files in the log dir that are neither commits nor checkpoints (e.g. temporary commit files left behind).
std::vector<std::string> StrayLogFiles(const fs::path &root) {
	std::vector<std::string> stray;
	for (const auto &entry : fs::directory_iterator(root / "_delta_log")) {
		if (!ParsedLogPath::Parse(entry.path().filename().string())) {
			stray.push_back(entry.path().filename().string());
		}
	}
	return stray;
}

//! Rows written by a run: 1 to 7, so every run's rows can be told apart and counted.
int64_t RowsOf(int64_t run) {
	return 1 + run % 7;
}

std::string SourceOf(int64_t run, const std::string &kind = "append") {
	return "SELECT i AS id, " + std::to_string(run) + "::BIGINT AS run, '" + kind + "' AS kind FROM range(" +
	       std::to_string(RowsOf(run)) + ") t(i)";
}

} // namespace

TEST_F(Concurrency, FourWritersAppendingTwentyFiveTimesEachLeaveOneHundredVersions) {
	constexpr int LANES = 4, PER_LANE = 25;
	auto outcomes = RunLanes(LANES, PER_LANE,
	                         [&](int lane, int run) { return Ingest(SourceOf(lane * PER_LANE + run), "t", "append"); });
	ASSERT_EQ(outcomes.size(), size_t(LANES * PER_LANE));
	std::set<int64_t> reported;
	int64_t expected_rows = 0;
	for (const auto &outcome : outcomes) {
		SCOPED_TRACE("lane " + std::to_string(outcome.lane) + " run " + std::to_string(outcome.run));
		EXPECT_EQ(outcome.status, 0) << outcome.err;
		EXPECT_TRUE(reported.insert(outcome.version).second) << "version reported twice: " << outcome.out;
		expected_rows += RowsOf(outcome.lane * PER_LANE + outcome.run);
	}
	auto all_versions = Range(100);
	EXPECT_EQ(reported, std::set<int64_t>(all_versions.begin(), all_versions.end()));
	auto root = Table("t");
	EXPECT_EQ(CommitVersions(root), Range(100));
	EXPECT_TRUE(StrayLogFiles(root).empty()) << StrayLogFiles(root)[0];

	auto connection = OpenTestConnection();
	auto snapshot = Snapshot::Load(connection, root);
	EXPECT_EQ(snapshot->Version(), 99);
	auto counts = RowsByRun(connection, root);
	EXPECT_EQ(counts.size(), size_t(LANES * PER_LANE));
	int64_t total = 0;
	for (int64_t run = 0; run < LANES * PER_LANE; run++) {
		EXPECT_EQ(counts[run], RowsOf(run)) << "run " << run;
		total += counts[run];
	}
	EXPECT_EQ(total, expected_rows);

	// One table: created once, every later commit read the version just before it.
	size_t metadata = 0, protocols = 0;
	for (int64_t version = 0; version < 100; version++) {
		auto commit = ReadCommit(root, version);
		metadata += CountActions(commit, "metaData");
		protocols += CountActions(commit, "protocol");
		ASSERT_FALSE(commit.empty());
		auto info = commit[0]["commitInfo"];
		if (version == 0) {
			EXPECT_FALSE(info.contains("readVersion"));
		} else {
			EXPECT_EQ(info["readVersion"], version - 1) << info.dump();
		}
		EXPECT_TRUE(info["isBlindAppend"].get<bool>());
	}
	EXPECT_EQ(metadata, 1u);
	EXPECT_EQ(protocols, 1u);
	// No data file is left over: retried appends commit the files they wrote.
	for (const auto &entry : fs::directory_iterator(root)) {
		EXPECT_NE(entry.path().filename().string().rfind("_deltaduck_staging", 0), 0u) << entry.path();
	}
	size_t parquet = 0;
	for (const auto &entry : fs::recursive_directory_iterator(root)) {
		parquet += entry.path().extension() == ".parquet" ? 1 : 0;
	}
	EXPECT_EQ(parquet, snapshot->Files().size());
}

TEST_F(Concurrency, AppendsRacingToCreateATableAllSucceed) {
	constexpr int ROUNDS = 5, WRITERS = 4;
	for (int round = 0; round < ROUNDS; round++) {
		SCOPED_TRACE("round " + std::to_string(round));
		auto table = "new" + std::to_string(round);
		auto outcomes = RunLanes(WRITERS, 1, [&](int lane, int) { return Ingest(SourceOf(lane), table, "append"); });
		std::set<int64_t> versions;
		for (const auto &outcome : outcomes) {
			EXPECT_EQ(outcome.status, 0) << outcome.err;
			versions.insert(outcome.version);
		}
		EXPECT_EQ(versions, (std::set<int64_t>{0, 1, 2, 3}));
		auto root = Table(table);
		EXPECT_EQ(CommitVersions(root), Range(WRITERS));
		size_t metadata = 0;
		for (int64_t version = 0; version < WRITERS; version++) {
			metadata += CountActions(ReadCommit(root, version), "metaData");
		}
		EXPECT_EQ(metadata, 1u);
		auto connection = OpenTestConnection();
		auto counts = RowsByRun(connection, root);
		EXPECT_EQ(counts, (std::map<int64_t, int64_t>{{0, RowsOf(0)}, {1, RowsOf(1)}, {2, RowsOf(2)}, {3, RowsOf(3)}}));
	}
}

TEST_F(Concurrency, CreateRacesHaveExactlyOneWinner) {
	constexpr int ROUNDS = 5, WRITERS = 4;
	auto connection = OpenTestConnection();
	for (int round = 0; round < ROUNDS; round++) {
		SCOPED_TRACE("round " + std::to_string(round));
		auto table = "created" + std::to_string(round);
		auto outcomes = RunLanes(WRITERS, 1, [&](int lane, int) { return Ingest(SourceOf(lane), table, "create"); });
		int winners = 0;
		int64_t winner = -1;
		for (const auto &outcome : outcomes) {
			if (outcome.status == 0) {
				winners++;
				winner = outcome.lane;
				EXPECT_EQ(outcome.version, 0);
			} else {
				EXPECT_EQ(outcome.status, 1);
				EXPECT_NE(outcome.err.find("already exists"), std::string::npos) << outcome.err;
			}
		}
		EXPECT_EQ(winners, 1);
		EXPECT_EQ(CommitVersions(Table(table)), Range(1));
		EXPECT_EQ(RowsByRun(connection, Table(table)), (std::map<int64_t, int64_t>{{winner, RowsOf(winner)}}));
	}
}

TEST_F(Concurrency, OverwritesRacingAppendsCommitOrFailClearly) {
	constexpr int APPENDERS = 3, PER_LANE = 10;
	// Run 0 is the base table; lane 0 overwrites, the others append; every run writes its own run id.
	auto base = Run(Ingest(SourceOf(0, "base"), "t", "create"));
	ASSERT_EQ(base.status, 0) << base.err;
	auto run_id = [&](int lane, int run) { return int64_t(1 + lane * PER_LANE + run); };
	auto outcomes = RunLanes(1 + APPENDERS, PER_LANE, [&](int lane, int run) {
		return lane == 0 ? Ingest(SourceOf(run_id(lane, run), "overwrite"), "t", "overwrite")
		                 : Ingest(SourceOf(run_id(lane, run)), "t", "append");
	});
	// Which run committed each version, and whether it overwrote.
	std::map<int64_t, std::pair<int64_t, bool>> committed = {{0, {0, true}}};
	int overwrites_committed = 0, overwrites_failed = 0;
	for (const auto &outcome : outcomes) {
		SCOPED_TRACE("lane " + std::to_string(outcome.lane) + " run " + std::to_string(outcome.run));
		bool overwrite = outcome.lane == 0;
		if (outcome.status == 0) {
			ASSERT_GE(outcome.version, 1) << outcome.out;
			EXPECT_TRUE(
			    committed.emplace(outcome.version, std::make_pair(run_id(outcome.lane, outcome.run), overwrite)).second)
			    << "version committed twice: " << outcome.version;
			overwrites_committed += overwrite ? 1 : 0;
		} else {
			// Appends always get through; an overwrite may lose, saying why.
			EXPECT_TRUE(overwrite) << outcome.err;
			EXPECT_EQ(outcome.status, 1) << outcome.err;
			EXPECT_NE(outcome.err.find("concurrent"), std::string::npos) << outcome.err;
			EXPECT_NE(outcome.err.find("Conflict"), std::string::npos) << outcome.err;
			overwrites_failed++;
		}
	}
	EXPECT_EQ(overwrites_committed + overwrites_failed, PER_LANE);
	auto root = Table("t");
	auto versions = CommitVersions(root);
	ASSERT_EQ(versions, Range(int64_t(committed.size())));
	EXPECT_TRUE(StrayLogFiles(root).empty());

	// Every version holds exactly the rows of the last overwrite at or before it and the appends since.
	auto connection = OpenTestConnection();
	std::map<int64_t, int64_t> expected;
	for (const auto &[version, writer] : committed) {
		SCOPED_TRACE("version " + std::to_string(version));
		const auto &[run, overwrite] = writer;
		if (overwrite) {
			expected.clear();
		}
		expected[run] = RowsOf(run);
		EXPECT_EQ(RowsByRun(connection, root, version), expected);
		auto info = ReadCommit(root, version)[0]["commitInfo"];
		EXPECT_EQ(info["operationParameters"]["mode"], version == 0 ? "ErrorIfExists"
		                                               : overwrite  ? "Overwrite"
		                                                            : "Append");
		if (version > 0) {
			EXPECT_EQ(info["readVersion"], version - 1);
		}
	}
	// The latest version is what the table reads as.
	EXPECT_EQ(RowsByRun(connection, root), expected);
	std::cout << "[          ] overwrites: " << overwrites_committed << " committed, " << overwrites_failed
	          << " lost a race\n";
}

} // namespace deltaduck
