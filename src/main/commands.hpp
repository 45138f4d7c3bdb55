#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace deltaduck {

//! Options every data command shares.
struct DataOptions {
	//! The data directory (`raw/`, `deltalake/`, ...).
	std::string data_dir;
};

//! Adds `--data DIR` (default: $DELTADUCK_DATA, else ./data).
void AddDataOption(CLI::App &command, DataOptions &options);

//! Each registers one subcommand; its callback runs the command and may throw `Error`s.
void AddQueryCommand(CLI::App &app);
void AddSampleCommand(CLI::App &app);
void AddDeltaCommand(CLI::App &app);
void AddIngestCommand(CLI::App &app);
void AddLineageCommand(CLI::App &app);
void AddServeCommand(CLI::App &app);
void AddWorkerCommand(CLI::App &app);

} // namespace deltaduck
