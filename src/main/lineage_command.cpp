#include "catalog/embedded_catalog.hpp"
#include "catalog/lineage_json.hpp"
#include "catalog/openlineage.hpp"
#include "common/error.hpp"
#include "main/commands.hpp"
#include "worker/data_sandbox.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace deltaduck {

namespace {

struct LineageOptions {
	DataOptions data;
	std::string out;
};

std::vector<catalog::LineageRecord> ListRecords(const LineageOptions &options) {
	auto root = worker::RootAtDataDirectory(options.data.data_dir);
	return catalog::EmbeddedCatalog::Open(root / worker::STATE_DIR / "catalog.duckdb")->List();
}

void PrintList(const LineageOptions &options) {
	for (const auto &record : ListRecords(options)) {
		std::cout << catalog::RecordToJson(record).dump() << '\n';
	}
}

void Export(const LineageOptions &options) {
	auto records = ListRecords(options);
	auto root = std::filesystem::current_path(); // rooted at the data directory by ListRecords
	std::ofstream file;
	if (!options.out.empty()) {
		file.open(options.out);
		if (!file) {
			throw IOError("cannot write " + options.out);
		}
	}
	std::ostream &out = options.out.empty() ? std::cout : file;
	for (const auto &record : records) {
		out << catalog::OpenLineageEvent(record, root) << '\n';
	}
	if (!options.out.empty()) {
		std::cerr << "wrote " << records.size() << " OpenLineage events to " << options.out << '\n';
	}
}

} // namespace

void AddLineageCommand(CLI::App &app) {
	auto options = std::make_shared<LineageOptions>();
	auto *command = app.add_subcommand("lineage", "Show or export the lineage of derived tables");
	command->require_subcommand(1);
	auto *list = command->add_subcommand("list", "Print each derived table with its parents (JSON, one per line)");
	AddDataOption(*list, options->data);
	list->callback([options] { PrintList(*options); });
	auto *exported =
	    command->add_subcommand("export", "Write OpenLineage RunEvents (JSON lines), one per derived table");
	AddDataOption(*exported, options->data);
	exported->add_option("--out", options->out, "File to write (default: standard output)");
	exported->callback([options] { Export(*options); });
}

} // namespace deltaduck
