#include "tests/unit/main/cli_test.hpp"

#include <string>

namespace deltaduck {

namespace {

class MaintenanceCommandTest : public CliTest {
protected:
	std::filesystem::path data;
	std::string table;

	void SetUp() override {
		CliTest::SetUp();
		data = dir / "data";
		table = (data / "deltalake" / "t").string();
		for (int i = 0; i < 4; i++) {
			auto result = Run({"ingest", "--data", data.string(), "--table", "t", "--partition-by", "p", "--source",
			                   "SELECT i, i % 2 AS p FROM range(" + std::to_string(i * 10) + ", " +
			                       std::to_string(i * 10 + 10) + ") t(i)"});
			ASSERT_EQ(result.status, 0) << result.err;
		}
	}

	std::string Query(const std::string &sql) {
		auto result = Run({"query", "--data", data.string(), "--format", "csv", sql});
		EXPECT_EQ(result.status, 0) << result.err;
		return result.out;
	}
};

} // namespace

TEST_F(MaintenanceCommandTest, OptimizeCompactsWithoutChangingRows) {
	auto before = Query("SELECT count(*), sum(i), sum(p) FROM =(^)t");
	auto result = Run({"delta", "optimize", table});
	ASSERT_EQ(result.status, 0) << result.err;
	EXPECT_NE(result.out.find("version 4: compacted 8 files"), std::string::npos) << result.out;
	EXPECT_EQ(Query("SELECT count(*), sum(i), sum(p) FROM =(^)t"), before);
	auto describe = Run({"delta", "describe", table});
	EXPECT_NE(describe.out.find("files:      2"), std::string::npos) << describe.out;
	// The compaction changed no data: every add and remove says so.
	auto history = Run({"delta", "history", table, "--format", "csv"});
	EXPECT_NE(history.out.find("4,"), std::string::npos);
	EXPECT_NE(history.out.find("OPTIMIZE"), std::string::npos) << history.out;
	result = Run({"delta", "optimize", table});
	EXPECT_NE(result.out.find("nothing to compact"), std::string::npos) << result.out;
	// Older versions still read from the files vacuum has not removed yet.
	EXPECT_EQ(Query("SELECT count(*) FROM =(^)t@3"), "count_star()\n40\n");
}

TEST_F(MaintenanceCommandTest, VacuumRemovesOnlyUnreferencedFilesAndRefusesUnsafeRetention) {
	ASSERT_EQ(Run({"ingest", "--data", data.string(), "--table", "t", "--mode", "overwrite", "--source",
	               "SELECT 1 AS i, 0 AS p"})
	              .status,
	          0);
	auto refused = Run({"delta", "vacuum", table, "--retention-hours", "1"});
	EXPECT_EQ(refused.status, 1);
	EXPECT_NE(refused.err.find("refusing to vacuum"), std::string::npos) << refused.err;
	auto kept = Run({"delta", "vacuum", table});
	EXPECT_NE(kept.out.find("0 files"), std::string::npos) << kept.out; // all younger than 168 hours
	auto dry = Run({"delta", "vacuum", table, "--retention-hours", "0", "--force", "--dry-run"});
	EXPECT_NE(dry.out.find("dry run: 8 files"), std::string::npos) << dry.out;
	auto done = Run({"delta", "vacuum", table, "--retention-hours", "0", "--force"});
	EXPECT_NE(done.out.find("8 files"), std::string::npos) << done.out;
	EXPECT_EQ(Query("SELECT count(*), sum(i) FROM =(^)t"), "count_star(),sum(i)\n1,1\n");
	EXPECT_TRUE(std::filesystem::exists(data / "deltalake" / "t" / "_delta_log" / "00000000000000000000.json"));
}

} // namespace deltaduck
