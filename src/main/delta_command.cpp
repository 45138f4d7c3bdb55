#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/checkpoint_reader.hpp"
#include "delta/history.hpp"
#include "delta/optimize.hpp"
#include "delta/scan.hpp"
#include "delta/table_features.hpp"
#include "delta/vacuum.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"
#include "main/commands.hpp"
#include "main/result_format.hpp"
#include "sql/delta_tables.hpp"

#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

struct DeltaOptions {
	std::string path;
	std::optional<int64_t> version;
	std::string timestamp;
	std::string where;
	std::string format = "table";
	double retention_hours = delta::SAFE_RETENTION_HOURS;
	bool dry_run = false;
	bool force = false;
	uint64_t target_size = uint64_t(128) << 20;
};

//! A connection that may read only the table's own folder.
Connection OpenForTable(const fs::path &root) {
	auto config = DatabaseConfig::Defaults();
	config.allowed_directories = {root.string()};
	return Connection::Open(Database::Open(config));
}

fs::path TableRoot(const std::string &path) {
	std::error_code error;
	auto root = fs::canonical(path, error);
	if (error) {
		throw NotFoundError("table folder not found: " + path);
	}
	return root;
}

delta::VersionSpec ParseVersionSpec(Connection &connection, const DeltaOptions &options) {
	delta::VersionSpec spec;
	spec.version = options.version;
	if (!options.timestamp.empty()) {
		if (options.version) {
			throw InvalidInputError("give either --version or --timestamp, not both");
		}
		spec.timestamp_ms = sql::ParseTimestampMs(connection, options.timestamp);
	}
	return spec;
}

void RunScan(const DeltaOptions &options) {
	auto format = ParseOutputFormat(options.format);
	auto root = TableRoot(options.path);
	auto connection = OpenForTable(root);
	auto snapshot = delta::Snapshot::Load(connection, root, ParseVersionSpec(connection, options));
	std::optional<delta::Predicate> filter;
	if (!options.where.empty()) {
		filter = delta::Predicate::Parse(options.where);
	}
	auto scan = delta::Scan::Plan(connection, snapshot, filter);
	if (filter) {
		std::cerr << "data skipping: reading " << scan.Files().size() << " of "
		          << scan.Files().size() + scan.SkippedFiles() << " files\n";
	}
	auto result = connection.Query(scan.Sql());
	PrintResult(result, format, std::cout);
}

void RunHistory(const DeltaOptions &options) {
	auto root = TableRoot(options.path);
	auto connection = OpenForTable(root);
	std::string rows;
	for (const auto &entry : delta::History(root, std::numeric_limits<size_t>::max())) {
		rows += (rows.empty() ? "" : ", ") + std::string("(") + std::to_string(entry.version) +
		        ", CAST(make_timestamp(" + std::to_string(entry.timestamp_ms) + " * 1000) AS TIMESTAMPTZ), " +
		        QuoteLiteral(entry.operation) + ", " + QuoteLiteral(entry.parameters.dump()) + ")";
	}
	auto result =
	    connection.Query("SELECT * FROM (VALUES " + rows + ") AS history(version, timestamp, operation, parameters)");
	PrintResult(result, ParseOutputFormat(options.format), std::cout, 1000);
}

void RunDescribe(const DeltaOptions &options) {
	auto root = TableRoot(options.path);
	auto connection = OpenForTable(root);
	// Any table can be described, also one with reader features this reader lacks (said below).
	auto snapshot = delta::Snapshot::LoadMetadataOnly(connection, root, ParseVersionSpec(connection, options));
	const auto &metadata = snapshot->GetMetadata();
	std::string readable = "yes";
	try {
		delta::CheckReadSupported(snapshot->GetProtocol());
	} catch (const Error &e) {
		readable = std::string("no: ") + e.what();
	}
	const auto &protocol = snapshot->GetProtocol();
	int64_t bytes = 0, rows = 0, files_without_stats = 0;
	for (const auto &add : snapshot->Files()) {
		bytes += add.size;
		auto stats = add.stats ? nlohmann::json::parse(*add.stats, nullptr, false) : nlohmann::json();
		if (stats.is_object() && stats.contains("numRecords")) {
			rows += stats["numRecords"].get<int64_t>() - (add.deletion_vector ? add.deletion_vector->cardinality : 0);
		} else {
			files_without_stats++;
		}
	}
	auto join = [](const std::optional<std::vector<std::string>> &list) {
		std::string text;
		for (const auto &item : list.value_or(std::vector<std::string>{})) {
			text += (text.empty() ? "" : ", ") + item;
		}
		return text.empty() ? std::string("none") : text;
	};
	std::cout << "table:      " << root.string() << '\n'
	          << "version:    " << snapshot->Version() << '\n'
	          << "id:         " << metadata.id << '\n'
	          << "protocol:   reader " << protocol.min_reader_version << ", writer " << protocol.min_writer_version
	          << '\n'
	          << "features:   reader: " << join(protocol.reader_features)
	          << "; writer: " << join(protocol.writer_features) << '\n'
	          << "readable:   " << readable << '\n';
	std::string partitions;
	for (const auto &name : metadata.partition_columns) {
		partitions += (partitions.empty() ? "" : ", ") + name;
	}
	std::cout << "partitions: " << (partitions.empty() ? "none" : partitions) << '\n'
	          << "files:      " << snapshot->Files().size() << '\n'
	          << "bytes:      " << bytes << '\n'
	          << "rows:       " << rows
	          << (files_without_stats
	                  ? " (+ unknown rows in " + std::to_string(files_without_stats) + " files without stats)"
	                  : std::string())
	          << '\n'
	          << "schema:\n";
	for (const auto &field : snapshot->GetSchema().fields) {
		std::cout << "  " << field.name << "  " << field.type->ToDuckDB() << (field.nullable ? "" : " NOT NULL")
		          << '\n';
	}
	if (snapshot->GetSchema().fields.empty()) {
		std::cout << "  " << metadata.schema_string << '\n'; // types this reader cannot map: as logged
	}
}

void RunVacuum(const DeltaOptions &options) {
	auto root = TableRoot(options.path);
	auto connection = OpenForTable(root);
	auto result = delta::Vacuum(connection, root, options.retention_hours, options.dry_run, options.force);
	for (const auto &file : result.files) {
		std::cout << (options.dry_run ? "would remove " : "removed ") << file << '\n';
	}
	std::cout << (options.dry_run ? "dry run: " : "") << result.files.size() << " files, " << result.bytes << " bytes "
	          << (options.dry_run ? "would be removed" : "removed") << '\n';
}

void RunOptimize(const DeltaOptions &options) {
	auto root = TableRoot(options.path);
	auto connection = OpenForTable(root);
	auto result = delta::Optimize(connection, root, options.target_size);
	if (result.version < 0) {
		std::cout << "nothing to compact: no partition has two files below the target size\n";
		return;
	}
	std::cout << "version " << result.version << ": compacted " << result.files_removed << " files ("
	          << result.bytes_removed << " bytes) into " << result.files_added << " (" << result.bytes_added
	          << " bytes)\n";
}

void AddPathAndVersion(CLI::App &command, DeltaOptions &options) {
	command.add_option("path", options.path, "The table folder (holding _delta_log/)")->required();
	command.add_option("--version", options.version, "Read this version instead of the latest");
	command.add_option("--timestamp", options.timestamp,
	                   "Read the version current at this time (ISO 8601, e.g. 2026-01-01T00:00:00Z)");
}

} // namespace

void AddDeltaCommand(CLI::App &app) {
	auto *delta =
	    app.add_subcommand("delta", "Read and maintain Delta Lake tables: scan, history, describe, vacuum, optimize");
	delta->require_subcommand(1);

	auto scan_options = std::make_shared<DeltaOptions>();
	auto *scan = delta->add_subcommand("scan", "Print the rows of a table (a version with --version/--timestamp)");
	AddPathAndVersion(*scan, *scan_options);
	scan->add_option("--where", scan_options->where,
	                 "Keep rows matching simple filters, also used to skip files by partition values and stats: "
	                 "col = 1 AND day BETWEEN DATE '2024-01-01' AND DATE '2024-01-31' AND city IN ('Oslo') AND x "
	                 "IS NOT NULL");
	scan->add_option("--format", scan_options->format, "table, csv or json")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"table", "csv", "json"}));
	scan->callback([scan_options] { RunScan(*scan_options); });

	auto history_options = std::make_shared<DeltaOptions>();
	auto *history =
	    delta->add_subcommand("history", "List a table's commits: version, timestamp, operation, parameters");
	history->add_option("path", history_options->path, "The table folder (holding _delta_log/)")->required();
	history->add_option("--format", history_options->format, "table, csv or json")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"table", "csv", "json"}));
	history->callback([history_options] { RunHistory(*history_options); });

	auto describe_options = std::make_shared<DeltaOptions>();
	auto *describe = delta->add_subcommand(
	    "describe", "Show a table's version, schema, partitioning, protocol, file count, bytes and rows");
	AddPathAndVersion(*describe, *describe_options);
	describe->callback([describe_options] { RunDescribe(*describe_options); });

	auto vacuum_options = std::make_shared<DeltaOptions>();
	auto *vacuum = delta->add_subcommand(
	    "vacuum", "Remove files the latest version does not use, older than the retention (data of overwritten or "
	              "deleted rows, leftovers of failed writes)");
	vacuum->add_option("path", vacuum_options->path, "The table folder (holding _delta_log/)")->required();
	vacuum
	    ->add_option("--retention-hours", vacuum_options->retention_hours,
	                 "Keep unused files younger than this; below 168 needs --force")
	    ->capture_default_str();
	vacuum->add_flag("--dry-run", vacuum_options->dry_run, "List what would be removed, remove nothing");
	vacuum->add_flag("--force", vacuum_options->force, "Allow a retention below the safe 168 hours");
	vacuum->callback([vacuum_options] { RunVacuum(*vacuum_options); });

	auto optimize_options = std::make_shared<DeltaOptions>();
	auto *optimize = delta->add_subcommand("optimize", "Compact small files into files of about the target size");
	optimize->add_option("path", optimize_options->path, "The table folder (holding _delta_log/)")->required();
	optimize->add_option("--target-size", optimize_options->target_size, "Target file size in bytes")
	    ->capture_default_str();
	optimize->callback([optimize_options] { RunOptimize(*optimize_options); });
}

} // namespace deltaduck
