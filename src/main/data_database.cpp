#include "main/data_database.hpp"

#include "common/data_layout.hpp"
#include "common/error.hpp"

#include <filesystem>
#include <system_error>

namespace deltaduck {

namespace fs = std::filesystem;

void RefuseSymlinksLeading(const fs::path &root) {
	// DuckDB's allow list compares paths as written, so a link inside the data directory could let SQL
	// read what lies outside it: such a link makes the whole directory unusable until it is removed.
	for (const char *folder : {RAW_DIR, DELTA_DIR}) {
		std::error_code error;
		if (!fs::is_directory(root / folder, error)) {
			continue;
		}
		for (auto it = fs::recursive_directory_iterator(root / folder, error);
		     !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
			if (!it->is_symlink()) {
				continue;
			}
			std::error_code resolve_error;
			auto target = fs::canonical(it->path(), resolve_error);
			auto relative = target.lexically_relative(root);
			if (resolve_error || relative.empty() || *relative.begin() == "..") {
				throw PermissionError("the data directory holds a link leading outside it: " +
				                      it->path().lexically_relative(root).string() +
				                      " (remove it or copy the data in)");
			}
		}
	}
}

std::shared_ptr<Database> OpenDataDatabase(const std::string &data_dir, bool for_writing) {
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
	RefuseSymlinksLeading(root);
	auto config = DatabaseConfig::Defaults();
	config.preserve_insertion_order = !for_writing;
	// DuckDB matches the allow list against paths as written: absolute ones against the root, relative
	// ones against the data layout's folders (it rejects `..` that would climb out of either).
	config.allowed_directories = {root.string(), RAW_DIR, DELTA_DIR};
	return Database::Open(config);
}

} // namespace deltaduck
