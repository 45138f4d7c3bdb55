#include "bench/bench.hpp"
#include "common/sql_quote.hpp"
#include "engine/connection.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace deltaduck::bench {

namespace fs = std::filesystem;

namespace {

struct ProcessRun {
	double seconds = 0;
	double peak_rss_mb = 0;
};

ProcessRun RunOnce(std::vector<std::string> args);

//! The best of three runs (each side gets the same tries); peak RSS is the largest seen.
ProcessRun RunProcess(const std::vector<std::string> &args, const std::function<void()> &before_each) {
	ProcessRun best{1e300, 0};
	for (int i = 0; i < 3; i++) {
		before_each();
		auto run = RunOnce(args);
		best.seconds = std::min(best.seconds, run.seconds);
		best.peak_rss_mb = std::max(best.peak_rss_mb, run.peak_rss_mb);
	}
	return best;
}

//! Runs a command to completion, measuring its wall time and peak resident memory.
ProcessRun RunOnce(std::vector<std::string> args) {
	std::vector<char *> argv;
	for (auto &arg : args) {
		argv.push_back(arg.data());
	}
	argv.push_back(nullptr);
	ProcessRun run;
	run.seconds = TimeSeconds([&] {
		pid_t pid;
		posix_spawn_file_actions_t actions;
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
		int started = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
		posix_spawn_file_actions_destroy(&actions);
		if (started != 0) {
			throw std::runtime_error("cannot start " + args[0]);
		}
		int status = 0;
		struct rusage usage {};
		wait4(pid, &status, 0, &usage);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			throw std::runtime_error("benchmark command failed: " + args[0] + " " + args[1]);
		}
		run.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
	});
	return run;
}

//! A folder of CSV files of about `megabytes` MB in total, written once by DuckDB.
fs::path CsvFolder(Connection &connection, const fs::path &data, int megabytes) {
	auto folder = data / "raw" / ("bench_" + std::to_string(megabytes) + "mb");
	if (fs::exists(folder / "done")) {
		return folder;
	}
	std::printf("# writing a %d MB CSV folder (once)\n", megabytes);
	std::fflush(stdout);
	fs::remove_all(folder);
	fs::create_directories(folder);
	// About 72 bytes per row, ten files.
	int64_t rows_per_file = int64_t(megabytes) * 1000000 / 72 / 10;
	for (int file = 0; file < 10; file++) {
		connection.Execute(
		    "COPY (SELECT i AS id, DATE '2020-01-01' + CAST(i % 2000 AS INTEGER) AS day, 'city-' || (i % 97) "
		    "AS city, round(i * 0.37 % 1000, 2) AS amount, md5(CAST(i AS VARCHAR)) AS token, i % 13 = 0 "
		    "AS flag FROM range(" +
		    std::to_string(file * rows_per_file) + ", " + std::to_string((file + 1) * rows_per_file) + ") t(i)) TO " +
		    QuoteLiteral((folder / ("part-" + std::to_string(file) + ".csv")).string()) + " (FORMAT csv, HEADER true)");
	}
	FILE *done = std::fopen((folder / "done").c_str(), "w");
	std::fclose(done);
	return folder;
}

} // namespace

//! The fixed cost of loading a small folder (the sample's size): ours against DuckDB's own COPY of the same files
//! to parquet, each a process of its own.
void IngestSmallFolderFixedCost(const fs::path &data) {
	std::string binary = std::string(DELTADUCK_BINARY_DIR) + "/deltaduck";
	if (!fs::exists(data / "raw" / "bench_small")) {
		RunOnce(
		    {binary, "sample", "--data", data.string(), "--folder", "bench_small", "--files", "3", "--rows", "250"});
	}
	auto ours = RunProcess({binary, "ingest", "--data", data.string(), "--source", "bench_small", "--table",
	                        "bench_small", "--mode", "overwrite"},
	                       [&] { fs::remove_all(data / "deltalake" / "bench_small"); });
	auto floor_target = data / "raw" / "bench_small_floor";
	auto floor =
	    RunProcess({binary, "query", "--data", data.string(),
	                "COPY (SELECT * FROM read_csv('raw/bench_small/*.csv')) TO 'raw/bench_small_floor/part.parquet' "
	                "(FORMAT parquet, COMPRESSION zstd)"},
	               [&] {
		               fs::remove_all(floor_target);
		               fs::create_directories(floor_target);
	               });
	Report("ingest_small_folder_fixed_cost", ours.seconds, floor.seconds, "s",
	       "ours_ms=" + std::to_string(int(ours.seconds * 1000)));
	fs::remove_all(data / "deltalake" / "bench_small");
	fs::remove_all(floor_target);
}

void RunIngestBenchmarks() {
	IngestSmallFolderFixedCost(fs::path(DELTADUCK_BINARY_DIR) / "bench-data");
	const char *size = std::getenv("DELTADUCK_BENCH_INGEST_MB");
	int megabytes = size ? std::atoi(size) : 1000;
	auto data = fs::path(DELTADUCK_BINARY_DIR) / "bench-data";
	auto connection = Connection::Open(Database::Open(DatabaseConfig::Defaults()));
	auto folder = CsvFolder(connection, data, megabytes);
	uint64_t bytes = 0;
	for (const auto &entry : fs::directory_iterator(folder)) {
		bytes += entry.path().extension() == ".csv" ? fs::file_size(entry.path()) : 0;
	}
	std::string binary = std::string(DELTADUCK_BINARY_DIR) + "/deltaduck";
	auto name = folder.filename().string();
	auto ours = RunProcess(
	    {binary, "ingest", "--data", data.string(), "--source", name, "--table", "bench_ingest", "--mode", "overwrite"},
	    [&] { fs::remove_all(data / "deltalake" / "bench_ingest"); });
	// SQL may not write into deltalake/: the floor's parquet files go to a folder of their own.
	auto floor_target = data / "raw" / "bench_floor";
	auto floor = RunProcess({binary, "query", "--data", data.string(),
	                         "COPY (SELECT * FROM read_csv('raw/" + name +
	                             "/*.csv')) TO 'raw/bench_floor' (FORMAT parquet, COMPRESSION zstd, "
	                             "FILE_SIZE_BYTES 134217728, FILENAME_PATTERN 'part-{uuid}')"},
	                        [&] {
		                        fs::remove_all(floor_target);
		                        fs::create_directories(floor_target);
	                        });
	auto original_target = data / "bench_original";
	auto original = RunProcess({DELTADUCK_VENV_PYTHON, std::string(DELTADUCK_SOURCE_DIR) + "/bench/original_ingest.py",
	                            (folder / "*.csv").string(), original_target.string()},
	                           [&] { fs::remove_all(original_target); });
	std::printf("# ingest of %.0f MB of CSV: ours %.1f s / %.0f MB peak RSS, DuckDB COPY to parquet %.1f s / %.0f MB, "
	            "original (Arrow + write_deltalake) %.1f s / %.0f MB\n",
	            static_cast<double>(bytes) / 1e6, ours.seconds, ours.peak_rss_mb, floor.seconds, floor.peak_rss_mb,
	            original.seconds, original.peak_rss_mb);
	Report("ingest_csv_folder_vs_duckdb_copy", ours.seconds, floor.seconds, "s");
	Report("ingest_csv_folder_vs_original_dashboard", ours.seconds, original.seconds, "s");
	Report("ingest_peak_rss_vs_original_dashboard", ours.peak_rss_mb, original.peak_rss_mb, "MB");
	fs::remove_all(data / "deltalake" / "bench_ingest");
	fs::remove_all(floor_target);
	fs::remove_all(original_target);
}

} // namespace deltaduck::bench
