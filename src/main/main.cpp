#include "common/error.hpp"
#include "main/cluster_options.hpp"
#include "main/commands.hpp"

#include <cstdlib>
#include <iostream>

namespace deltaduck {

void AddDataOption(CLI::App &command, DataOptions &options) {
	const char *env = std::getenv("DELTADUCK_DATA");
	options.data_dir = env && *env ? env : "data";
	command.add_option("--data", options.data_dir, "Data directory holding raw/ (CSV folders) and deltalake/ (tables)")
	    ->capture_default_str()
	    ->envname("DELTADUCK_DATA");
}

} // namespace deltaduck

int main(int argc, char **argv) {
	CLI::App app("DeltaDuck: load CSV folders into Delta Lake tables and query them with DuckDB.\n"
	             "Run `deltaduck COMMAND --help` for a command's options.",
	             "deltaduck");
	app.require_subcommand(1);
	deltaduck::AddQueryCommand(app);
	deltaduck::AddSampleCommand(app);
	deltaduck::AddDeltaCommand(app);
	deltaduck::AddIngestCommand(app);
	deltaduck::AddLineageCommand(app);
	deltaduck::AddServeCommand(app);
	deltaduck::AddWorkerCommand(app);
	std::string config_file;
	app.add_option("--config", config_file, "A KEY=VALUE file of DELTADUCK_* settings (or $DELTADUCK_CONFIG)");
	app.fallthrough();
	try {
		deltaduck::LoadConfigFile(argc, argv);
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return app.exit(e);
	} catch (const deltaduck::Error &e) {
		std::cerr << "Error (" << deltaduck::ErrorTypeName(e.Type()) << "): " << e.what() << '\n';
		return 1;
	} catch (const std::exception &e) {
		std::cerr << "Error: " << e.what() << '\n';
		return 1;
	}
	return 0;
}
