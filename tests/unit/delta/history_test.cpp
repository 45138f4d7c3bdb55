// Commit times: history and `@'time'` travel use one definition (In-Commit Timestamps when the table records
// them, else file modification times), so a version history shows is the one travel to its time reads.

#include "common/error.hpp"
#include "delta/history.hpp"
#include "delta/snapshot.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"
#include "worker/ingest.hpp"

#include <gtest/gtest.h>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

std::string CommitName(int64_t version) {
	auto digits = std::to_string(version);
	return std::string(20 - digits.size(), '0') + digits + ".json";
}

} // namespace

TEST(CommitTime, ATableCopiedWithCpTravelsByTheTimeHistoryShows) {
	TempDir temp;
	auto data = temp.Path() / "data";
	fs::create_directories(data / "deltalake");
	auto connection = OpenTestConnection();
	for (int i = 0; i < 3; i++) {
		worker::IngestRequest request;
		request.source = "SELECT " + std::to_string(i) + " AS batch";
		request.table = "t";
		request.options.mode = delta::WriteMode::APPEND;
		worker::Ingest(connection, data, request);
	}
	auto table = data / "deltalake" / "t";
	// `cp -r` gives every file the time of the copy.
	const int64_t copied_at = 1767225600000; // 2026-01-01T00:00:00Z
	for (int64_t version = 0; version < 3; version++) {
		SetModificationTimeMs(table / "_delta_log" / CommitName(version), copied_at);
	}
	auto history = delta::History(table, 10);
	ASSERT_EQ(history.size(), 3u);
	for (const auto &entry : history) {
		EXPECT_EQ(entry.timestamp_ms, copied_at) << "version " << entry.version;
		// Travel to the time history shows for a version reads that version or a later one at the same time.
		EXPECT_GE(delta::Snapshot::Load(connection, table, AtTimestamp(entry.timestamp_ms))->Version(), entry.version);
	}
	EXPECT_EQ(delta::Snapshot::Load(connection, table, AtTimestamp(copied_at))->Version(), 2);
	EXPECT_THROW(delta::Snapshot::Load(connection, table, AtTimestamp(copied_at - 1)), NotFoundError);
}

TEST(CommitTime, InCommitTimestampsWinOverFileTimes) {
	TempDir temp;
	auto table = temp.Path() / "t";
	auto connection = OpenTestConnection();
	auto file = table / "part-0.parquet";
	fs::create_directories(table);
	WriteParquet(connection, file, "SELECT 1 AS x");
	auto metadata = MetadataAction({{"x", "integer"}});
	metadata["metaData"]["configuration"] = {{"delta.enableInCommitTimestamps", "true"}};
	auto protocol = ProtocolAction(3, 7);
	protocol["protocol"]["readerFeatures"] = nlohmann::json::array();
	protocol["protocol"]["writerFeatures"] = {"inCommitTimestamp"};
	auto info = [](int64_t ms) {
		return nlohmann::json{{"commitInfo", {{"inCommitTimestamp", ms}, {"timestamp", 5}}}};
	};
	WriteCommit(table, 0, {info(1000), protocol, metadata});
	WriteCommit(table, 1, {info(2000), AddAction("part-0.parquet")});
	WriteCommit(table, 2, {info(3000)});
	for (int64_t version = 0; version < 3; version++) {
		SetModificationTimeMs(table / "_delta_log" / CommitName(version), 1767225600000);
	}
	auto history = delta::History(table, 10);
	ASSERT_EQ(history.size(), 3u);
	EXPECT_EQ(history[0].timestamp_ms, 3000);
	EXPECT_EQ(history[2].timestamp_ms, 1000);
	EXPECT_EQ(delta::Snapshot::Load(connection, table, AtTimestamp(2500))->Version(), 1);
	EXPECT_EQ(delta::Snapshot::Load(connection, table, AtTimestamp(1000))->Version(), 0);
	EXPECT_THROW(delta::Snapshot::Load(connection, table, AtTimestamp(999)), NotFoundError);
}

} // namespace deltaduck
