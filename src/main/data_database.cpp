#include "main/data_database.hpp"

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
	if (error) {
		throw IOError("cannot open data directory " + data_dir + ": " + error.message());
	}
	auto config = DatabaseConfig::Defaults();
	config.file_search_path = root.string();
	config.allowed_directories = {root.string()};
	return Database::Open(config);
}

} // namespace deltaduck
