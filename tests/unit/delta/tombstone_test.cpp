// Removes and tombstones: an overwrite of files with deletion vectors really removes them, and vacuum keeps
// every file that a version inside the retention still reads.

#include "delta/optimize.hpp"
#include "delta/scan.hpp"
#include "delta/vacuum.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"
#include "worker/ingest.hpp"

#include <chrono>
#include <cstdlib>
#include <gtest/gtest.h>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

int64_t CountRows(Connection &connection, const fs::path &table, delta::VersionSpec spec = {}) {
	auto scan = delta::Scan::Plan(connection, delta::Snapshot::Load(connection, table, spec));
	return std::stoll(connection.QueryText("SELECT count(*) FROM (" + scan.Sql() + ")").at(0).at(0));
}

worker::IngestRequest Request(const std::string &source, const std::string &table, delta::WriteMode mode) {
	worker::IngestRequest request;
	request.source = source;
	request.table = table;
	request.options.mode = mode;
	return request;
}

} // namespace

TEST(Tombstones, OverwriteOfFilesWithDeletionVectorsRemovesTheirRows) {
	TempDir temp;
	auto data = temp.Path() / "data";
	auto table = UnpackGoldenTable(data, "dv-partitioned-with-checkpoint", "dv");
	if (table.empty()) {
		GTEST_SKIP() << "../shared/delta-golden is absent";
	}
	auto connection = OpenTestConnection();
	ASSERT_EQ(CountRows(connection, table), 35);
	worker::Ingest(connection, data, Request("SELECT * FROM =(^)dv LIMIT 3", "dv", delta::WriteMode::OVERWRITE));
	EXPECT_EQ(CountRows(connection, table), 3);
}

TEST(Tombstones, VacuumKeepsFilesRemovedWithinTheRetention) {
	TempDir temp;
	auto data = temp.Path() / "data";
	fs::create_directories(data / "deltalake");
	auto connection = OpenTestConnection();
	for (int i = 0; i < 3; i++) {
		worker::Ingest(
		    connection, data,
		    Request("SELECT " + std::to_string(i) + " AS batch, j FROM range(10) t(j)", "t", delta::WriteMode::APPEND));
	}
	auto table = data / "deltalake" / "t";
	// The data files are ten days old; optimize removes them now, so their tombstones are seconds old.
	auto old = fs::file_time_type::clock::now() - std::chrono::hours(24 * 10);
	for (const auto &entry : fs::directory_iterator(table)) {
		if (entry.path().extension() == ".parquet") {
			fs::last_write_time(entry.path(), old);
		}
	}
	delta::Optimize(connection, table, 1 << 30);
	auto vacuumed = delta::Vacuum(connection, table, delta::SAFE_RETENTION_HOURS, false, false);
	EXPECT_TRUE(vacuumed.files.empty()) << vacuumed.files.size() << " files removed, first " << vacuumed.files[0];
	EXPECT_EQ(CountRows(connection, table, {2, std::nullopt}), 30);
	EXPECT_EQ(CountRows(connection, table, {0, std::nullopt}), 10);
	EXPECT_EQ(CountRows(connection, table), 30);
}

} // namespace deltaduck
