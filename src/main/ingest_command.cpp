#include "common/error.hpp"
#include "engine/connection.hpp"
#include "main/commands.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/ingest.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <unistd.h>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

struct IngestOptions {
	DataOptions data;
	std::string source;
	std::string table;
	std::string mode = "append";
	std::string partition_by;
	bool merge_schema = false;
	std::string txn_app_id;
	int64_t txn_version = -1;
	std::string header;
	std::string delimiter;
	std::string compression = "zstd";
	uint64_t target_file_size = uint64_t(128) << 20;
	std::string naive_timestamps = "ntz";
};

std::string HumanBytes(double bytes) {
	const char *units[] = {"B", "KB", "MB", "GB", "TB"};
	int unit = 0;
	while (bytes >= 1000 && unit < 4) {
		bytes /= 1000;
		unit++;
	}
	char buffer[32];
	std::snprintf(buffer, sizeof(buffer), unit ? "%.1f %s" : "%.0f %s", bytes, units[unit]);
	return buffer;
}

//! Redraws one progress line on a terminal: a bar, rows read and input bytes.
void DrawProgress(const QueryProgress &progress, uint64_t input_bytes) {
	// The write's later, small queries (footer stats) report their own progress: the bar never goes back.
	static double shown = 0;
	static uint64_t rows = 0;
	shown = std::max(shown, progress.percentage < 0 ? 0 : progress.percentage / 100.0);
	rows = std::max<uint64_t>(rows, progress.rows_processed);
	double fraction = shown;
	int filled = static_cast<int>(fraction * 30);
	std::string bar(filled, '#');
	bar.resize(30, ' ');
	std::fprintf(stderr, "\r[%s] %3.0f%%  %llu rows  %s of %s", bar.c_str(), fraction * 100,
	             static_cast<unsigned long long>(rows), HumanBytes(fraction * input_bytes).c_str(),
	             HumanBytes(static_cast<double>(input_bytes)).c_str());
	std::fflush(stderr);
}

void RunIngest(const IngestOptions &options) {
	worker::IngestRequest request;
	request.source = options.source;
	request.table = options.table;
	request.options.mode = delta::ParseWriteMode(options.mode);
	request.options.merge_schema = options.merge_schema;
	request.options.compression = options.compression;
	request.options.target_file_size = options.target_file_size;
	std::stringstream columns(options.partition_by);
	std::string column;
	while (std::getline(columns, column, ',')) {
		if (!column.empty()) {
			request.options.partition_by.push_back(column);
		}
	}
	if (!options.txn_app_id.empty()) {
		if (options.txn_version < 0) {
			throw InvalidInputError("--txn-app-id needs --txn-version");
		}
		request.options.transaction = delta::SetTransaction{options.txn_app_id, options.txn_version, std::nullopt};
	}
	if (!options.header.empty()) {
		request.header = options.header == "true";
	}
	if (!options.delimiter.empty()) {
		request.delimiter = options.delimiter;
	}
	request.naive_timestamps_utc = options.naive_timestamps == "utc";
	auto root = worker::RootAtDataDirectory(options.data.data_dir);
	worker::SandboxOptions sandbox;
	sandbox.for_writing = true;
	sandbox.spill = true; // the source is one checked SELECT; large loads may need to spill
	auto connection = Connection::Open(worker::OpenSandboxedDatabase(root, sandbox));
	bool terminal = ::isatty(STDERR_FILENO);
	auto result =
	    worker::Ingest(connection, root, request,
	                   terminal ? std::function<void(const QueryProgress &, uint64_t)>(DrawProgress) : nullptr);
	if (terminal) {
		std::fprintf(stderr, "\r%80s\r", "");
	}
	if (result.write.skipped) {
		std::cout << "nothing written: " << result.write.skip_reason << '\n';
		return;
	}
	char seconds[32];
	std::snprintf(seconds, sizeof(seconds), "%.2f", result.seconds);
	std::cout << "DeltaLake stored as " << options.table << ": version " << result.write.version << ", "
	          << result.write.files << (result.write.files == 1 ? " file, " : " files, ") << result.write.rows
	          << " rows, " << HumanBytes(static_cast<double>(result.write.bytes)) << " in " << seconds << " s\n";
	std::cout << "protocol: reader " << result.min_reader_version << ", writer " << result.min_writer_version
	          << (request.naive_timestamps_utc ? "; naive timestamps stored as UTC timestamp (" +
	                                                 std::to_string(result.utc_columns) + " columns)"
	                                           : "; naive timestamps stored as timestamp_ntz")
	          << '\n';
}

} // namespace

void AddIngestCommand(CLI::App &app) {
	auto options = std::make_shared<IngestOptions>();
	auto *command = app.add_subcommand("ingest", "Load a CSV folder, a file or a query into a Delta table");
	command->footer(
	    "The table is <data>/deltalake/<table>. Examples:\n"
	    "  deltaduck ingest --source climate --table climate                 (all of raw/climate/*.csv)\n"
	    "  deltaduck ingest --source climate --table climate --mode overwrite\n"
	    "  deltaduck ingest --source \"SELECT * FROM =(^)climate WHERE \\\"T (degC)\\\" > 25\" --table warm "
	    "--mode create");
	AddDataOption(*command, options->data);
	command->add_option("--source", options->source, "A folder under raw/, a file in the data directory, or a query")
	    ->required();
	command->add_option("--table", options->table, "The Delta table's name (letters, digits, _ and -)")->required();
	command->add_option("--mode", options->mode, "create (fails if the table exists), append, overwrite or ignore")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"create", "append", "overwrite", "ignore", "error"}));
	command->add_option("--partition-by", options->partition_by, "Partition columns of a new table, comma separated");
	command->add_flag("--merge-schema", options->merge_schema, "Let an append add new columns to the table");
	command->add_option("--txn-app-id", options->txn_app_id,
	                    "Idempotent writes: an application id; a write whose --txn-version is not newer than the "
	                    "table's is skipped");
	command->add_option("--txn-version", options->txn_version, "The version of this write for --txn-app-id");
	command->add_option("--header", options->header, "CSV has a header row (true/false; sniffed when unset)")
	    ->check(CLI::IsMember({"true", "false"}));
	command->add_option("--delimiter", options->delimiter, "CSV delimiter (sniffed when unset)");
	command->add_option("--compression", options->compression, "Parquet compression: zstd or snappy")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"zstd", "snappy"}));
	command
	    ->add_option("--naive-timestamps", options->naive_timestamps,
	                 "Timestamps without a time zone: ntz (timestamp_ntz, exact; protocol 3/7) or utc (read as UTC "
	                 "instants; protocol 1/2, readable by delta-rs before table features, as the original wrote)")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"ntz", "utc"}));
	command->add_option("--target-file-size", options->target_file_size, "Roll to a new data file past this many bytes")
	    ->capture_default_str();
	command->callback([options] { RunIngest(*options); });
}

} // namespace deltaduck
