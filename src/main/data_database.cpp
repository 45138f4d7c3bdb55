#include "main/data_database.hpp"

#include "common/data_layout.hpp"
#include "common/error.hpp"

#include <filesystem>
#include <system_error>

namespace deltaduck {

std::shared_ptr<Database> OpenDataDatabase(const std::string &data_dir) {
	std::error_code error;
	std::filesystem::create_directories(data_dir, error);
	if (error) {
		throw IOError("cannot create data directory " + data_dir + ": " + error.message());
	}
	auto root = std::filesystem::canonical(data_dir, error);
	if (!error) {
		// DuckDB checks its allow list against paths as written, relative to the working directory.
		std::filesystem::current_path(root, error);
	}
	if (error) {
		throw IOError("cannot open data directory " + data_dir + ": " + error.message());
	}
	auto config = DatabaseConfig::Defaults();
	// DuckDB matches the allow list against paths as written: absolute ones against the root, relative
	// ones against the data layout's folders (it rejects `..` that would climb out of either).
	config.allowed_directories = {root.string(), RAW_DIR, DELTA_DIR};
	return Database::Open(config);
}

} // namespace deltaduck
