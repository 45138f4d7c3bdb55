#include "common/data_layout.hpp"
#include "common/names.hpp"
#include "engine/connection.hpp"
#include "main/commands.hpp"
#include "worker/data_sandbox.hpp"

#include <filesystem>
#include <iostream>
#include <memory>

namespace deltaduck {

namespace {

struct SampleOptions {
	DataOptions data;
	std::string folder = "climate";
	int64_t files = 3;
	int64_t rows_per_file = 1000;
};

//! Writes a deterministic CSV folder: daily readings for a few cities, one file per year.
void WriteSample(const SampleOptions &options) {
	CheckName("folder name", options.folder);
	auto connection =
	    Connection::Open(worker::OpenSandboxedDatabase(worker::RootAtDataDirectory(options.data.data_dir)));
	// The data directory is now the working directory.
	auto folder = std::filesystem::path(RAW_DIR) / options.folder;
	std::filesystem::create_directories(folder);
	for (int64_t file = 0; file < options.files; file++) {
		auto statement = connection.Prepare(
		    "COPY (SELECT DATE '2024-01-01' + CAST(i // 4 AS INTEGER) + CAST($1 * $2 // 4 AS INTEGER) AS day, "
		    "['Lisbon', 'Oslo', 'Cairo', 'Lima'][i % 4 + 1] AS city, "
		    "round(15 + 10 * sin((i // 4 + $1 * $2 // 4) / 58.0) + (hash(i, $1) % 50) / 10.0, 1) AS temperature, "
		    "CAST(hash(i, $1, 'rain') % 30 AS INTEGER) AS rainfall_mm "
		    "FROM range($2) t(i)) TO $3 (FORMAT csv, HEADER true)");
		statement.Bind(1, file);
		statement.Bind(2, options.rows_per_file);
		statement.Bind(3, (folder / ("part-" + std::to_string(file) + ".csv")).c_str());
		statement.Execute().Fetch();
	}
	std::cout << "wrote " << options.files << " CSV files to " << std::filesystem::absolute(folder).string() << '\n';
}

} // namespace

void AddSampleCommand(CLI::App &app) {
	auto options = std::make_shared<SampleOptions>();
	auto *command = app.add_subcommand("sample", "Write a small sample CSV folder into <data>/raw/ to try things with");
	AddDataOption(*command, options->data);
	command->add_option("--folder", options->folder, "Folder name under raw/")->capture_default_str();
	command->add_option("--files", options->files, "Number of CSV files")
	    ->capture_default_str()
	    ->check(CLI::Range(1, 1000));
	command->add_option("--rows", options->rows_per_file, "Rows per file")
	    ->capture_default_str()
	    ->check(CLI::Range(1, 10000000));
	command->callback([options] { WriteSample(*options); });
}

} // namespace deltaduck
