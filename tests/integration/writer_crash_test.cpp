// Crash safety: a writer killed with SIGKILL at any moment leaves the table at the previous or the next
// version, readable, never partial. Runs the real binary (DELTADUCK_BINARY) 50 times, killing each at a
// random point, and checks the table after every kill.

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

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

constexpr int ROWS_PER_INGEST = 600000;

pid_t StartIngest(const fs::path &data, int batch) {
	std::string source = "SELECT i AS id, " + std::to_string(batch) +
	                     " AS batch, md5(CAST(i AS VARCHAR)) AS payload FROM range(" + std::to_string(ROWS_PER_INGEST) +
	                     ") t(i)";
	return StartDeltaDuck(
	    {"ingest", "--data", data.string(), "--source", source, "--table", "crashy", "--mode", "append"});
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

TEST(WriterCrash, KilledWritersLeaveOnlyWholeVersions) {
	auto data = fs::temp_directory_path() / ("deltaduck-crash-" + std::to_string(::getpid()));
	fs::remove_all(data);
	fs::create_directories(data / "deltalake");
	auto connection = Connection::Open(Database::Open(DatabaseConfig::Defaults()));
	std::mt19937 random(12345);
	// Seeded so a failure can be replayed; the delays cover start-up, writing and committing.
	std::uniform_int_distribution<int> delay_ms(0, 550);
	int committed = 0, killed = 0;
	for (int batch = 0; batch < 50; batch++) {
		pid_t pid = StartIngest(data, batch);
		ASSERT_GT(pid, 0);
		std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
		::kill(pid, SIGKILL);
		int status = 0;
		::waitpid(pid, &status, 0);
		bool was_killed = WIFSIGNALED(status);
		killed += was_killed;
		if (!fs::exists(data / "deltalake" / "crashy" / "_delta_log" / "00000000000000000000.json")) {
			continue; // nothing committed yet
		}
		int64_t version = -1;
		auto rows = RowsPerBatch(connection, data / "deltalake" / "crashy", version);
		// Every committed version holds exactly one whole batch; no batch is partial.
		EXPECT_EQ(static_cast<int64_t>(rows.size()), version + 1) << "after batch " << batch;
		for (const auto &[id, count] : rows) {
			EXPECT_EQ(count, ROWS_PER_INGEST) << "batch " << id << " is partial";
		}
		if (!was_killed) {
			EXPECT_TRUE(rows.count(batch)) << "batch " << batch << " finished but is not in the table";
		}
		committed = static_cast<int>(rows.size());
	}
	std::printf("# crash test: %d of 50 writers killed, %d versions committed\n", killed, committed);
	EXPECT_GT(killed, 10) << "the kills should land while writers run";
	EXPECT_GT(committed, 0) << "some writers should finish";
	fs::remove_all(data);
}

} // namespace deltaduck
