// Tables DeltaDuck writes are ordinary Delta tables: delta-rs reads every version of them equal to our own
// read, delta-rs can append to them and we read the result, and DuckDB's delta_scan agrees.

#include "common/sql_quote.hpp"
#include "delta/scan.hpp"
#include "delta/writer.hpp"
#include "engine/connection.hpp"
#include "tests/support/table_compare.hpp"
#include "worker/ingest.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <unistd.h>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

//! Runs the delta-rs helper script; returns its output, failing the test when it fails.
std::string DeltaRs(const std::string &arguments) {
	auto command = std::string(DELTADUCK_VENV_PYTHON) + " '" + DELTADUCK_SOURCE_DIR +
	               "/tests/interop/delta_rs_read.py' " + arguments + " 2>&1";
	std::string output;
	FILE *pipe = popen(command.c_str(), "r");
	char buffer[512];
	while (pipe && fgets(buffer, sizeof(buffer), pipe)) {
		output += buffer;
	}
	int status = pipe ? pclose(pipe) : -1;
	EXPECT_EQ(status, 0) << command << "\n" << output;
	return output;
}

std::string Quote(const fs::path &path) {
	return "'" + path.string() + "'";
}

class DeltaRsReadsOurs : public ::testing::Test {
protected:
	fs::path dir = fs::temp_directory_path() / ("deltaduck-ours-" + std::to_string(::getpid()) + "-" +
	                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
	std::shared_ptr<Database> database;
	std::unique_ptr<Connection> connection;

	void SetUp() override {
		fs::create_directories(dir);
		auto config = DatabaseConfig::Defaults();
		config.extensions = {"delta"};
		database = Database::Open(config);
		connection = std::make_unique<Connection>(Connection::Open(database));
	}
	void TearDown() override {
		fs::remove_all(dir);
	}

	delta::WriteResult Write(const std::string &table, const std::string &sql, delta::WriteMode mode,
	                         std::vector<std::string> partition_by = {}, bool merge = false,
	                         std::map<std::string, std::string> configuration = {}) {
		delta::WriteOptions options;
		options.configuration = std::move(configuration);
		options.mode = mode;
		options.partition_by = std::move(partition_by);
		options.merge_schema = merge;
		return delta::WriteTable(*connection, dir / table, sql, options);
	}

	//! Every version of the table, read by delta-rs, equals our read of that version.
	void ExpectDeltaRsAgrees(const std::string &table) {
		auto out = dir / (table + "-delta-rs");
		DeltaRs("read " + Quote(dir / table) + " " + Quote(out));
		auto latest = delta::Snapshot::Load(*connection, dir / table)->Version();
		for (int64_t version = 0; version <= latest; version++) {
			auto snapshot = delta::Snapshot::Load(*connection, dir / table, {version, std::nullopt});
			auto scan = delta::Scan::Plan(*connection, snapshot);
			auto comparison =
			    CompareRows(*connection, *snapshot, scan.Sql(),
			                ReadParquetSql((out / ("v" + std::to_string(version) + ".parquet")).string()));
			EXPECT_TRUE(SameRows(comparison)) << table << " version " << version << ": " << comparison;
		}
		if (!database->ExtensionError("delta")) {
			auto snapshot = delta::Snapshot::Load(*connection, dir / table);
			auto comparison = CompareRows(*connection, *snapshot, delta::Scan::Plan(*connection, snapshot).Sql(),
			                              "SELECT * FROM delta_scan(" + QuoteLiteral((dir / table).string()) + ")");
			EXPECT_TRUE(SameRows(comparison)) << table << " vs delta_scan: " << comparison;
		}
	}
};

} // namespace

TEST_F(DeltaRsReadsOurs, AppendsAndOverwrites) {
	Write("plain", "SELECT i AS id, 'name-' || i AS name, i * 0.5 AS amount FROM range(100) t(i)",
	      delta::WriteMode::CREATE);
	Write("plain", "SELECT i AS id, NULL::VARCHAR AS name, i * 0.5 AS amount FROM range(100, 150) t(i)",
	      delta::WriteMode::APPEND);
	Write("plain", "SELECT i AS id, 'new' AS name, 1.0 AS amount FROM range(7) t(i)", delta::WriteMode::OVERWRITE);
	ExpectDeltaRsAgrees("plain");
}

TEST_F(DeltaRsReadsOurs, PartitionedWithNullsAndSpecialCharacters) {
	Write("parts",
	      "SELECT i AS id, ['north', 'south east', 'a=b/c', '100%', NULL, 'ümlaut'][i % 6 + 1] AS region, "
	      "CASE WHEN i % 5 = 0 THEN NULL ELSE 2020 + i % 3 END AS year, DATE '2024-01-01' + CAST(i % 3 AS INTEGER) AS "
	      "day "
	      "FROM range(120) t(i)",
	      delta::WriteMode::CREATE, {"region", "year", "day"});
	Write("parts", "SELECT 999 AS id, 'north' AS region, 2020 AS year, DATE '2024-01-02' AS day",
	      delta::WriteMode::APPEND);
	ExpectDeltaRsAgrees("parts");
}

TEST_F(DeltaRsReadsOurs, SchemaMergeAndManyTypes) {
	Write("types",
	      "SELECT i AS id, i % 2 = 0 AS flag, CAST(i AS TINYINT) AS i8, CAST(i AS SMALLINT) AS i16, CAST(i AS INTEGER) "
	      "AS "
	      "i32, CAST(i / 3 AS FLOAT) AS f32, CAST(i / 7 AS DECIMAL(12, 3)) AS dec, 'x' || i AS s, "
	      "CAST('\\x01' AS BLOB) AS b, DATE '2024-02-29' + CAST(i AS INTEGER) AS d, "
	      "TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (i) HOUR AS ts, [i, i + 1] AS l, {'a': i, 'b': 's'} AS st, "
	      "MAP {'k': i} AS m FROM range(20) t(i)",
	      delta::WriteMode::CREATE);
	Write(
	    "types",
	    "SELECT 100 AS id, true AS flag, CAST(1 AS TINYINT) AS i8, CAST(1 AS SMALLINT) AS i16, 1 AS i32, "
	    "CAST(1 AS FLOAT) AS f32, CAST(1 AS DECIMAL(12, 3)) AS dec, 'y' AS s, CAST('' AS BLOB) AS b, DATE '2020-01-01' "
	    "AS d, TIMESTAMPTZ '2020-01-01 00:00:00+00' AS ts, [1] AS l, {'a': 1, 'b': 't'} AS st, MAP {'k': 1} AS m, "
	    "'merged' AS extra",
	    delta::WriteMode::APPEND, {}, true);
	ExpectDeltaRsAgrees("types");
}

TEST_F(DeltaRsReadsOurs, NaiveTimestampsUseTheTimestampNtzFeature) {
	Write("ntz", "SELECT TIMESTAMP '2024-01-01 12:34:56.789' + INTERVAL (i) DAY AS at, i AS n FROM range(5) t(i)",
	      delta::WriteMode::CREATE);
	ExpectDeltaRsAgrees("ntz");
}

TEST_F(DeltaRsReadsOurs, DeltaRsAppendsToATableWeCreated) {
	Write("shared", "SELECT i AS id, 'n' || i AS name FROM range(10) t(i)", delta::WriteMode::CREATE, {});
	DeltaRs("append " + Quote(dir / "shared"));
	auto snapshot = delta::Snapshot::Load(*connection, dir / "shared");
	EXPECT_EQ(snapshot->Version(), 1);
	ExpectDeltaRsAgrees("shared");
}

TEST_F(DeltaRsReadsOurs, CheckpointsWeWriteAreReadByEveryone) {
	Write("checkpointed", "SELECT i AS id, 'a' AS part FROM range(10) t(i)", delta::WriteMode::CREATE, {"part"}, false,
	      {{"delta.checkpointInterval", "2"}});
	for (int i = 1; i <= 4; i++) {
		Write("checkpointed",
		      "SELECT i AS id, 'b' AS part FROM range(" + std::to_string(i * 10) + ", " + std::to_string(i * 10 + 5) +
		          ") t(i)",
		      delta::WriteMode::APPEND);
	}
	Write("checkpointed", "SELECT 1000 AS id, NULL::VARCHAR AS part", delta::WriteMode::APPEND);
	auto log = dir / "checkpointed" / "_delta_log";
	EXPECT_TRUE(fs::exists(log / "00000000000000000002.checkpoint.parquet"));
	EXPECT_TRUE(fs::exists(log / "00000000000000000004.checkpoint.parquet"));
	EXPECT_TRUE(fs::exists(log / "_last_checkpoint"));
	ExpectDeltaRsAgrees("checkpointed");
	// Without the commits before it, the table must be read from the checkpoint alone: by us and by delta-rs.
	for (int version = 0; version < 4; version++) {
		fs::remove(log /
		           (std::string(19 - std::to_string(version).size() + 1, '0') + std::to_string(version) + ".json"));
	}
	ASSERT_FALSE(fs::exists(log / "00000000000000000000.json"));
	auto out = dir / "checkpointed-latest";
	DeltaRs("read-latest " + Quote(dir / "checkpointed") + " " + Quote(out));
	auto snapshot = delta::Snapshot::Load(*connection, dir / "checkpointed");
	EXPECT_EQ(snapshot->Version(), 5);
	auto comparison = CompareRows(*connection, *snapshot, delta::Scan::Plan(*connection, snapshot).Sql(),
	                              ReadParquetSql((out / "latest.parquet").string()));
	EXPECT_TRUE(SameRows(comparison)) << comparison;
}

TEST_F(DeltaRsReadsOurs, NaiveTimestampsAsUtcNeedNoTableFeatures) {
	// The original's delta-rs predates table features: --naive-timestamps utc writes what it can read.
	auto data = dir / "data";
	fs::create_directories(data / "raw" / "events");
	std::ofstream(data / "raw" / "events" / "a.csv") << "at,v\n2024-01-02 03:04:05,1\n";
	for (bool utc : {false, true}) {
		worker::IngestRequest request;
		request.source = "events";
		request.table = utc ? "utc" : "ntz";
		request.naive_timestamps_utc = utc;
		auto result = worker::Ingest(*connection, data, request);
		EXPECT_EQ(result.utc_columns, utc ? 1u : 0u);
		EXPECT_EQ(result.min_writer_version, utc ? 2 : 7);
	}
	EXPECT_EQ(DeltaRs("protocol " + Quote(data / "deltalake" / "utc") + " at"),
	          "1 2 timestamp[us, tz=UTC] 2024-01-02T03:04:05+00:00\n");
	EXPECT_EQ(DeltaRs("protocol " + Quote(data / "deltalake" / "ntz") + " at"),
	          "3 7 timestamp[us] 2024-01-02T03:04:05\n");
}

} // namespace deltaduck
