#include "bench/bench.hpp"
#include "common/sql_quote.hpp"
#include "delta/scan.hpp"
#include "engine/connection.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace deltaduck::bench {

namespace fs = std::filesystem;

namespace {

std::string Python() {
	return DELTADUCK_VENV_PYTHON;
}

std::string Script() {
	return std::string(DELTADUCK_SOURCE_DIR) + "/bench/make_long_log.py";
}

//! Fetches every chunk of a query, converting nothing.
uint64_t Drain(Connection &connection, const std::string &sql) {
	auto result = connection.Query(sql);
	uint64_t rows = 0;
	while (auto chunk = result.Fetch()) {
		rows += chunk.RowCount();
	}
	return rows;
}

void SnapshotLoad(Connection &connection, const fs::path &data) {
	auto table = data / "long-log";
	if (!fs::exists(table / "_delta_log" / "00000000000000009999.json")) {
		fs::remove_all(table);
		std::printf("# writing a 10,000-commit log with a checkpoint every 100 (once)\n");
		std::fflush(stdout);
		Capture(Python() + " " + Script() + " write '" + table.string() + "' 10000 100");
	}
	size_t files = 0;
	double ours = BestSeconds(5, [&] { files = delta::Snapshot::Load(connection, table)->Files().size(); });
	double delta_rs = std::stod(Capture(Python() + " " + Script() + " time '" + table.string() + "' 5"));
	std::printf("# snapshot load: version 9999, %zu live files\n", files);
	Report("delta_snapshot_load_10k_commits_vs_delta_rs", ours, delta_rs, "s");
	// What the dashboard pays per query for an unchanged table: a listing of its log, no replay.
	delta::Snapshot::LoadCached(connection, table);
	double cached = BestSeconds(5, [&] { delta::Snapshot::LoadCached(connection, table); });
	Report("delta_snapshot_cached_unchanged_vs_cold_load", cached, ours, "s");
	// After an append: the cached snapshot advanced by the one new commit, against a cold load.
	double refresh = 1e300;
	std::vector<fs::path> added;
	for (int64_t version = 10000; version < 10005; version++) {
		added.push_back(table / "_delta_log" / delta::CommitFileName(version));
		// What an append commits: its commitInfo and the add of a new data file.
		std::ofstream(added.back()) << R"({"commitInfo":{"timestamp":1700000000000,"operation":"WRITE"}})"
		                            << "\n"
		                            << R"({"add":{"path":"appended-)" << version
		                            << R"(.parquet","partitionValues":{},"size":1,"modificationTime":1700000000000,)"
		                            << R"("dataChange":true}})"
		                            << "\n";
		refresh = std::min(refresh, TimeSeconds([&] {
			                   if (delta::Snapshot::LoadCached(connection, table)->Version() != version) {
				                   throw std::runtime_error("the refreshed snapshot is not at the new version");
			                   }
		                   }));
	}
	for (const auto &file : added) {
		fs::remove(file);
	}
	Report("delta_snapshot_refresh_after_1_commit_vs_cold_load", refresh, ours, "s");
}

//! 10 million rows in 100 parquet files of 100,000 rows, committed as one Delta version with stats.
fs::path ScanTable(Connection &connection, const fs::path &data) {
	auto table = data / "scan-10m";
	if (fs::exists(table / "_delta_log" / "00000000000000000000.json")) {
		return table;
	}
	std::printf("# writing a 10-million-row, 100-file table (once)\n");
	std::fflush(stdout);
	fs::remove_all(table);
	fs::create_directories(table / "_delta_log");
	std::string commit =
	    R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
	    "\n"
	    R"({"metaData":{"id":"scan-bench","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"category\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},{\"name\":\"amount\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},{\"name\":\"label\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{},"createdTime":1700000000000}})"
	    "\n";
	for (int file = 0; file < 100; file++) {
		auto name = "part-" + std::to_string(file) + ".parquet";
		int64_t first = int64_t(file) * 100000, last = first + 99999;
		connection.Execute(
		    "COPY (SELECT i AS id, CAST(i % 97 AS INTEGER) AS category, CAST(i * 0.01 AS DOUBLE) AS amount, "
		    "'label-' || (i % 1000) AS label FROM range(" +
		    std::to_string(first) + ", " + std::to_string(last + 1) + ") t(i)) TO " +
		    QuoteLiteral((table / name).string()) + " (FORMAT parquet)");
		auto size = fs::file_size(table / name);
		commit +=
		    R"({"add":{"path":")" + name + R"(","partitionValues":{},"size":)" + std::to_string(size) +
		    R"(,"modificationTime":1700000000000,"dataChange":true,"stats":"{\"numRecords\":100000,\"minValues\":{\"id\":)" +
		    std::to_string(first) + R"(},\"maxValues\":{\"id\":)" + std::to_string(last) +
		    R"(},\"nullCount\":{\"id\":0}}"}})"
		    "\n";
	}
	std::ofstream(table / "_delta_log" / "00000000000000000000.json") << commit;
	return table;
}

void Scans(Connection &connection, const Database &database, const fs::path &data) {
	auto table = ScanTable(connection, data);
	auto parquet = "read_parquet(" + QuoteLiteral((table / "*.parquet").string()) + ")";
	auto delta_scan = "delta_scan(" + QuoteLiteral(table.string()) + ")";
	bool have_delta = !database.ExtensionError("delta");

	// Full scan: every row streamed out of the engine, nothing converted.
	double ours = BestSeconds(3, [&] {
		auto snapshot = delta::Snapshot::Load(connection, table);
		Drain(connection, delta::Scan::Plan(connection, snapshot).Sql());
	});
	double floor = BestSeconds(3, [&] { Drain(connection, "SELECT * FROM " + parquet); });
	Report("delta_full_scan_10m_rows_vs_read_parquet", ours, floor, "s");
	if (have_delta) {
		double extension = BestSeconds(3, [&] { Drain(connection, "SELECT * FROM " + delta_scan); });
		Report("delta_full_scan_10m_rows_vs_delta_scan", ours, extension, "s");
	}

	// Selective scan: 0.5% of the rows, in one file of the 100. Milliseconds each, so the best of more runs.
	const char *filter = "id BETWEEN 5000000 AND 5049999";
	size_t read_files = 0;
	double ours_selective = BestSeconds(15, [&] {
		auto snapshot = delta::Snapshot::Load(connection, table);
		auto scan = delta::Scan::Plan(connection, snapshot, delta::Predicate::Parse(filter));
		read_files = scan.Files().size();
		Drain(connection, scan.Sql());
	});
	double floor_selective =
	    BestSeconds(15, [&] { Drain(connection, "SELECT * FROM " + parquet + " WHERE " + filter); });
	std::printf("# selective scan: data skipping reads %zu of 100 files\n", read_files);
	Report("delta_selective_scan_vs_read_parquet", ours_selective, floor_selective, "s");
	if (have_delta) {
		double extension =
		    BestSeconds(15, [&] { Drain(connection, "SELECT * FROM " + delta_scan + " WHERE " + filter); });
		Report("delta_selective_scan_vs_delta_scan", ours_selective, extension, "s");
	}
}

} // namespace

//! A Spark table of 1M rows with 30% deleted through deletion vectors (version 1) against its version before
//! the DELETE (version 0): what applying the vectors costs. Spark writes it once (bench/make_dv_table.py).
void DeletionVectorScan(Connection &connection, const fs::path &data) {
	auto table = data / "dv1m";
	if (!fs::exists(table / "_delta_log" / "00000000000000000001.json")) {
		fs::remove_all(table);
		std::printf("# writing a 1M-row Spark table with a 30%% DELETE as deletion vectors (once)\n");
		std::fflush(stdout);
		try {
			Capture(Python() + " " + DELTADUCK_SOURCE_DIR + "/bench/make_dv_table.py '" + data.string() + "' 2>&1");
		} catch (const std::exception &e) {
			std::printf("# skipping delta_scan_dv_30pct_vs_before_delete: Spark could not write the table (%s)\n",
			            e.what());
			return;
		}
	}
	// The scan: every row and column of the version streamed out of the engine (the rows counted as they come).
	auto time_version = [&](int64_t version, uint64_t &rows) {
		return BestSeconds(5, [&] {
			auto scan =
			    delta::Scan::Plan(connection, delta::Snapshot::Load(connection, table, {version, std::nullopt}));
			rows = Drain(connection, scan.Sql());
		});
	};
	uint64_t before_rows = 0, after_rows = 0;
	double before = time_version(0, before_rows);
	double after = time_version(1, after_rows);
	if (before_rows != 1000000 || after_rows != 700000) {
		throw std::runtime_error("the deletion-vector table reads " + std::to_string(after_rows) + " of " +
		                         std::to_string(before_rows) + " rows, not 700000 of 1000000");
	}
	Report("delta_scan_dv_30pct_vs_before_delete", after, before, "s");
}

void RunDeltaBenchmarks() {
	auto config = DatabaseConfig::Defaults();
	config.extensions = {"delta"};
	auto database = Database::Open(config);
	auto connection = Connection::Open(database);
	fs::path data = fs::path(DELTADUCK_BINARY_DIR) / "bench-data";
	fs::create_directories(data);
	SnapshotLoad(connection, data);
	Scans(connection, *database, data);
	DeletionVectorScan(connection, data);
}

} // namespace deltaduck::bench
