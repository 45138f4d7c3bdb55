// Checkpoints we write: they hold everything a reader of the table needs once the commits before them are
// cleaned up (deletion vectors, unexpired tombstones, domain metadata, exact numbers), and a failed one leaves
// nothing behind.

#include "common/error.hpp"
#include "delta/checkpoint_writer.hpp"
#include "delta/optimize.hpp"
#include "delta/scan.hpp"
#include "delta/snapshot.hpp"
#include "delta/vacuum.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"
#include "worker/ingest.hpp"

#include <cstdlib>
#include <gtest/gtest.h>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

int64_t CountRows(Connection &connection, const fs::path &table) {
	auto scan = delta::Scan::Plan(connection, delta::Snapshot::Load(connection, table));
	return std::stoll(connection.QueryText("SELECT count(*) FROM (" + scan.Sql() + ")").at(0).at(0));
}

void Append(Connection &connection, const fs::path &data, const std::string &table, const std::string &sql) {
	worker::IngestRequest request;
	request.source = sql;
	request.table = table;
	request.options.mode = delta::WriteMode::APPEND;
	worker::Ingest(connection, data, request);
}

//! Deletes the commits a checkpoint covers, as log cleanup does: from now on only the checkpoint tells.
void DropCommitsUpTo(const fs::path &table, int64_t version) {
	for (auto commit : CommitVersions(table)) {
		if (commit <= version) {
			fs::remove(table / "_delta_log" /
			           (std::string(20 - std::to_string(commit).size(), '0') + std::to_string(commit) + ".json"));
		}
	}
}

std::vector<std::string> TemporaryFilesIn(const fs::path &log) {
	std::vector<std::string> found;
	for (const auto &entry : fs::directory_iterator(log)) {
		if (entry.path().extension() == ".tmp") {
			found.push_back(entry.path().filename().string());
		}
	}
	return found;
}

} // namespace

TEST(Checkpoints, TablesWithDeletionVectorsGetOne) {
	TempDir temp;
	auto data = temp.Path() / "data";
	auto table = UnpackGoldenTable(data, "dv-partitioned-with-checkpoint", "dv");
	if (table.empty()) {
		GTEST_SKIP() << "../shared/delta-golden is absent";
	}
	auto connection = OpenTestConnection();
	ASSERT_EQ(CountRows(connection, table), 35);
	Append(connection, data, "dv", "SELECT * FROM =(^)dv LIMIT 1");
	auto snapshot = delta::Snapshot::Load(connection, table);
	delta::WriteCheckpoint(connection, *snapshot);
	EXPECT_TRUE(TemporaryFilesIn(table / "_delta_log").empty());
	DropCommitsUpTo(table, snapshot->Version());
	// Only the new checkpoint is left: the rows its deletion vectors delete stay deleted.
	EXPECT_EQ(CountRows(connection, table), 36);
}

TEST(Checkpoints, CarryUnexpiredTombstonesAndDomainMetadata) {
	TempDir temp;
	auto data = temp.Path() / "data";
	fs::create_directories(data / "deltalake");
	auto connection = OpenTestConnection();
	for (int i = 0; i < 3; i++) {
		Append(connection, data, "t", "SELECT " + std::to_string(i) + " AS batch, j FROM range(10) t(j)");
	}
	auto table = data / "deltalake" / "t";
	delta::Optimize(connection, table, 1 << 30); // version 3 removes the three files of versions 0-2
	WriteCommit(
	    table, 4,
	    {{{"domainMetadata", {{"domain", "deltaduck.test"}, {"configuration", "{\"k\":1}"}, {"removed", false}}}},
	     {{"domainMetadata", {{"domain", "gone"}, {"configuration", "{}"}, {"removed", true}}}}});
	auto snapshot = delta::Snapshot::Load(connection, table);
	ASSERT_EQ(snapshot->Tombstones().size(), 3u);
	delta::WriteCheckpoint(connection, *snapshot);
	DropCommitsUpTo(table, 4);
	auto reloaded = delta::Snapshot::Load(connection, table);
	EXPECT_EQ(reloaded->Tombstones().size(), 3u);
	ASSERT_EQ(reloaded->Domains().count("deltaduck.test"), 1u);
	EXPECT_EQ(reloaded->Domains().at("deltaduck.test").configuration, "{\"k\":1}");
	EXPECT_EQ(reloaded->Domains().count("gone"), 0u);
	// Vacuum learns of the removal from the checkpoint alone, and keeps the files inside the retention.
	auto vacuumed = delta::Vacuum(connection, table, delta::SAFE_RETENTION_HOURS, false, false);
	EXPECT_TRUE(vacuumed.files.empty());
	EXPECT_EQ(CountRows(connection, table), 30);
}

TEST(Checkpoints, KeepEveryDigitOfNumbers) {
	TempDir temp;
	auto data = temp.Path() / "data";
	fs::create_directories(data / "deltalake");
	auto connection = OpenTestConnection();
	worker::IngestRequest request;
	request.source = "SELECT 1 AS x";
	request.table = "t";
	request.options.mode = delta::WriteMode::APPEND;
	const int64_t version = (int64_t(1) << 53) + 1; // a double would round it to 2^53
	request.options.transaction = delta::SetTransaction{"app", version, {}};
	worker::Ingest(connection, data, request);
	auto table = data / "deltalake" / "t";
	delta::WriteCheckpoint(connection, *delta::Snapshot::Load(connection, table));
	DropCommitsUpTo(table, 0);
	auto reloaded = delta::Snapshot::Load(connection, table);
	ASSERT_EQ(reloaded->Transactions().count("app"), 1u);
	EXPECT_EQ(reloaded->Transactions().at("app").version, version);
}

//! A table `t` of five rows at version 0, not checkpointed yet, to make checkpoints of fail.
class FailingCheckpoints : public ::testing::Test {
protected:
	void SetUp() override {
		fs::create_directories(temp.Path() / "data" / "deltalake");
		Append(connection, temp.Path() / "data", "t", "SELECT range AS i FROM range(5)");
		snapshot = delta::Snapshot::Load(connection, table);
	}
	TempDir temp;
	Connection connection = OpenTestConnection();
	fs::path table = temp.Path() / "data" / "deltalake" / "t";
	std::shared_ptr<const delta::Snapshot> snapshot;
};

TEST_F(FailingCheckpoints, AFailedOneLeavesNoFileBehind) {
	setenv("DELTADUCK_FAULT", "checkpoint_before_rename:throw", 1);
	EXPECT_THROW(delta::WriteCheckpoint(connection, *snapshot), IOError);
	unsetenv("DELTADUCK_FAULT");
	EXPECT_TRUE(TemporaryFilesIn(table / "_delta_log").empty());
	EXPECT_FALSE(fs::exists(table / "_delta_log" / "00000000000000000000.checkpoint.parquet"));
	EXPECT_EQ(CountRows(connection, table), 5);
}

TEST_F(FailingCheckpoints, AFileSystemFailureIsAnIOErrorNamingTheTable) {
	// A folder where the checkpoint goes: the rename into place fails in the standard library.
	auto target = table / "_delta_log" / "00000000000000000000.checkpoint.parquet";
	fs::create_directories(target / "occupied");
	try {
		delta::WriteCheckpoint(connection, *snapshot);
		FAIL() << "the checkpoint was written";
	} catch (const IOError &e) {
		EXPECT_NE(std::string(e.what()).find(table.string()), std::string::npos) << e.what();
	}
	EXPECT_TRUE(TemporaryFilesIn(table / "_delta_log").empty());
	fs::remove_all(target);
	EXPECT_EQ(CountRows(connection, table), 5);
}

} // namespace deltaduck
