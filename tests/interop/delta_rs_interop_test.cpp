// Interop with delta-rs: tables written by the Python `deltalake` package (appends, overwrites, partitions
// with NULLs and special characters, schema evolution, checkpoints, time travel, many types) must scan
// exactly as delta-rs reads them, version by version; where DuckDB's delta extension loads, our scan of
// the latest version must also equal its delta_scan.

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/scan.hpp"
#include "engine/connection.hpp"
#include "tests/support/table_compare.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace deltaduck {

namespace fs = std::filesystem;

class DeltaRsInterop : public ::testing::Test {
protected:
	static void SetUpTestSuite() {
		tables_ = fs::temp_directory_path() / ("deltaduck-interop-" + std::to_string(::getpid()));
		fs::remove_all(tables_);
		auto command = std::string(DELTADUCK_VENV_PYTHON) + " '" + DELTADUCK_SOURCE_DIR +
		               "/tests/interop/make_delta_rs_tables.py' '" + tables_.string() + "' 2>&1";
		// A failure here must fail every test (gtest would report the suite's tests as skipped).
		generator_output_.clear();
		if (FILE *pipe = popen(command.c_str(), "r")) {
			char buffer[512];
			while (fgets(buffer, sizeof(buffer), pipe)) {
				generator_output_ += buffer;
			}
			generated_ = pclose(pipe) == 0;
		}
	}
	static void TearDownTestSuite() {
		std::error_code error;
		fs::remove_all(tables_, error);
	}
	void SetUp() override {
		ASSERT_TRUE(generated_) << "delta-rs could not write the interop tables:\n" << generator_output_;
		auto config = DatabaseConfig::Defaults();
		config.extensions = {"delta"};
		database_ = Database::Open(config);
		connection_ = std::make_unique<Connection>(Connection::Open(database_));
	}

	//! Checks every recorded version of `name` against delta-rs's reads.
	void CheckTable(const std::string &name) {
		auto root = tables_ / name;
		std::ifstream versions(root / "versions.txt");
		int64_t version, checked = 0;
		while (versions >> version) {
			auto snapshot = delta::Snapshot::Load(*connection_, root / "delta", {version, std::nullopt});
			auto scan = delta::Scan::Plan(*connection_, snapshot);
			auto expected = ReadParquetSql((root / ("expected_v" + std::to_string(version)) / "*.parquet").string());
			auto comparison = CompareRows(*connection_, *snapshot, scan.Sql(), expected);
			EXPECT_TRUE(SameRows(comparison)) << name << " version " << version << ": " << comparison;
			checked++;
		}
		EXPECT_GT(checked, 0) << "no versions recorded for " << name;
	}

	//! Our latest scan against DuckDB's delta extension, where it loads.
	void CheckAgainstDeltaExtension(const std::string &name) {
		if (database_->ExtensionError("delta")) {
			GTEST_SKIP() << "DuckDB delta extension unavailable: " << *database_->ExtensionError("delta");
		}
		auto root = tables_ / name / "delta";
		auto snapshot = delta::Snapshot::Load(*connection_, root);
		auto scan = delta::Scan::Plan(*connection_, snapshot);
		auto comparison = CompareRows(*connection_, *snapshot, scan.Sql(),
		                              "SELECT * FROM delta_scan(" + QuoteLiteral(root.string()) + ")");
		EXPECT_TRUE(SameRows(comparison)) << name << " vs delta_scan: " << comparison;
	}

	static fs::path tables_;
	static bool generated_;
	static std::string generator_output_;
	std::shared_ptr<Database> database_;
	std::unique_ptr<Connection> connection_;
};

fs::path DeltaRsInterop::tables_;
bool DeltaRsInterop::generated_ = false;
std::string DeltaRsInterop::generator_output_;

TEST_F(DeltaRsInterop, AppendsAndOverwriteEveryVersion) {
	CheckTable("appends-overwrite");
}

TEST_F(DeltaRsInterop, PartitionsWithNullsAndSpecialCharacters) {
	CheckTable("partitions");
}

TEST_F(DeltaRsInterop, SchemaEvolutionReadsOldFilesWithNulls) {
	CheckTable("schema-evolution");
}

TEST_F(DeltaRsInterop, CheckpointsAndTimeTravel) {
	CheckTable("checkpointed");
	EXPECT_TRUE(
	    fs::exists(tables_ / "checkpointed" / "delta" / "_delta_log" / "00000000000000000007.checkpoint.parquet"));
}

TEST_F(DeltaRsInterop, SpecialCharactersInFolderAndValues) {
	CheckTable("special chars table");
}

TEST_F(DeltaRsInterop, ManyTypes) {
	CheckTable("types");
}

TEST_F(DeltaRsInterop, AgreesWithDuckDBDeltaExtension) {
	for (const char *name : {"appends-overwrite", "partitions", "schema-evolution", "checkpointed", "types"}) {
		CheckAgainstDeltaExtension(name);
	}
}

} // namespace deltaduck
