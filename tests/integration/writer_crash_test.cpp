// Crash safety: a writer killed with SIGKILL at any moment leaves the table at the previous or the next
// version, readable, never partial. Runs the real binary (DELTADUCK_BINARY): first stopped by its own fault
// points at each step of a commit (so every step is covered whatever the machine's speed), then killed at
// random moments on top; the table is checked after every writer.

#include "delta/scan.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"
#include "tests/support/process.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <random>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

constexpr int ROWS_PER_INGEST = 600000;

//! Starts an ingest of one batch; with `fault`, the writer kills itself at that point (DELTADUCK_FAULT).
pid_t StartIngest(const fs::path &data, int batch, const std::string &fault = "") {
	std::string source = "SELECT i AS id, " + std::to_string(batch) +
	                     " AS batch, md5(CAST(i AS VARCHAR)) AS payload FROM range(" + std::to_string(ROWS_PER_INGEST) +
	                     ") t(i)";
	std::vector<std::string> environment;
	if (!fault.empty()) {
		environment.push_back("DELTADUCK_FAULT=" + fault);
	}
	return StartDeltaDuck(
	    {"ingest", "--data", data.string(), "--source", source, "--table", "crashy", "--mode", "append"}, "", "",
	    environment);
}

//! Waits for a writer; true if it was killed.
bool WaitKilled(pid_t pid) {
	int status = 0;
	::waitpid(pid, &status, 0);
	return WIFSIGNALED(status);
}

//! Rows per batch in the latest version, read with our own reader.
std::map<int64_t, int64_t> RowsPerBatch(Connection &connection, const fs::path &table, int64_t &version) {
	auto snapshot = delta::Snapshot::Load(connection, table);
	version = snapshot->Version();
	auto result = connection.Query("SELECT batch, count(*) FROM (" + delta::Scan::Plan(connection, snapshot).Sql() +
	                               ") GROUP BY batch");
	RowEncoder encoder(result.Columns());
	std::map<int64_t, int64_t> rows;
	while (auto chunk = result.Fetch()) {
		encoder.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount(); row++) {
			std::string batch, count;
			encoder.Columns()[0]->WriteText(batch, row);
			encoder.Columns()[1]->WriteText(count, row);
			rows[std::stoll(batch)] = std::stoll(count);
		}
	}
	return rows;
}

} // namespace

//! Checks the table holds only whole batches, one per version; returns its version (-1: no table yet).
int64_t CheckWhole(Connection &connection, const fs::path &data, const std::string &context) {
	if (!fs::exists(data / "deltalake" / "crashy" / "_delta_log" / "00000000000000000000.json")) {
		return -1;
	}
	int64_t version = -1;
	auto rows = RowsPerBatch(connection, data / "deltalake" / "crashy", version);
	EXPECT_EQ(static_cast<int64_t>(rows.size()), version + 1) << context;
	for (const auto &[id, count] : rows) {
		EXPECT_EQ(count, ROWS_PER_INGEST) << "batch " << id << " is partial " << context;
	}
	return version;
}

TEST(WriterCrash, KilledWritersLeaveOnlyWholeVersions) {
	auto data = fs::temp_directory_path() / ("deltaduck-crash-" + std::to_string(::getpid()));
	fs::remove_all(data);
	fs::create_directories(data / "deltalake");
	auto connection = Connection::Open(Database::Open(DatabaseConfig::Defaults()));
	int batch = 0;
	// A writer left alone commits.
	ASSERT_FALSE(WaitKilled(StartIngest(data, batch++)));
	ASSERT_EQ(CheckWhole(connection, data, "after a plain ingest"), 0);
	// Stopped at each step of a commit: before the link nothing is committed, after it the version is whole.
	const std::pair<const char *, int64_t> POINTS[] = {
	    {"after_data_files", 0}, {"after_temp_commit", 0}, {"after_link", 1}};
	int64_t base = 0;
	for (const auto &[point, added] : POINTS) {
		EXPECT_TRUE(WaitKilled(StartIngest(data, batch++, point))) << point;
		auto version = CheckWhole(connection, data, std::string("after a kill at ") + point);
		EXPECT_EQ(version, base + added) << point;
		base = version;
	}
	ASSERT_FALSE(WaitKilled(StartIngest(data, batch++)));
	EXPECT_EQ(CheckWhole(connection, data, "after the writer following the kills"), base + 1);
	// Random kills on top: wherever they land, only whole versions remain. (How many land depends on the
	// machine's speed, so nothing is asserted about that.)
	std::mt19937 random(12345);
	std::uniform_int_distribution<int> delay_ms(0, 550);
	int killed = 0;
	for (int i = 0; i < 30; i++, batch++) {
		pid_t pid = StartIngest(data, batch);
		ASSERT_GT(pid, 0);
		std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
		::kill(pid, SIGKILL);
		killed += WaitKilled(pid);
		CheckWhole(connection, data, "after random kill " + std::to_string(i));
	}
	std::printf("# crash test: 3 fault points, %d of 30 random kills landed while writing\n", killed);
	fs::remove_all(data);
}

} // namespace deltaduck
