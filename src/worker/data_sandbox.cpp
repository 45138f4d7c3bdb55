#include "worker/data_sandbox.hpp"

#include "common/data_layout.hpp"
#include "common/error.hpp"

#include <system_error>

namespace deltaduck::worker {

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

fs::path RootAtDataDirectory(const std::string &data_dir) {
	std::error_code error;
	fs::create_directories(data_dir, error);
	if (error) {
		throw IOError("cannot create data directory " + data_dir + ": " + error.message());
	}
	auto root = fs::canonical(data_dir, error);
	if (error) {
		throw IOError("cannot open data directory " + data_dir + ": " + error.message());
	}
	fs::current_path(root, error);
	if (error) {
		throw IOError("cannot enter data directory " + root.string() + ": " + error.message());
	}
	RefuseSymlinksLeading(root);
	return root;
}

std::shared_ptr<Database> OpenSandboxedDatabase(const fs::path &root, const SandboxOptions &options) {
	auto config = DatabaseConfig::Defaults();
	config.path = options.database_path;
	config.preserve_insertion_order = !options.for_writing;
	if (!options.spill) {
		config.temp_directory.clear();
	}
	if (options.threads) {
		config.threads = options.threads;
	}
	if (options.memory_limit_bytes) {
		config.memory_limit_bytes = options.memory_limit_bytes;
	}
	// DuckDB matches the allow list textually: absolute paths against the root's entries, relative ones
	// against the same entries written relative to the working directory (the root). Every entry of the
	// root but our state folder is listed, plus the layout folders, which may appear later.
	std::error_code error;
	std::vector<std::string> relative = {RAW_DIR, DELTA_DIR};
	for (auto it = fs::directory_iterator(root, error); !error && it != fs::directory_iterator(); it.increment(error)) {
		auto name = it->path().filename().string();
		if (name == STATE_DIR) {
			continue;
		}
		if (it->is_directory()) {
			relative.push_back(name);
			continue;
		}
		// A database file attached from SQL writes its write-ahead log beside it.
		for (const auto &file : {name, name + ".wal"}) {
			config.allowed_paths.push_back(file);
			config.allowed_paths.push_back((root / file).string());
		}
	}
	for (const auto &name : relative) {
		config.allowed_directories.push_back(name);
		config.allowed_directories.push_back((root / name).string());
	}
	return Database::Open(config);
}

namespace {

PreparedStatement PrepareExpanded(Connection &connection, const fs::path &data_dir, const std::string &text,
                                  std::string &expanded, std::vector<sql::DeltaRead> &reads) {
	expanded = sql::ExpandDeltaTables(connection, data_dir, text, &reads);
	auto prepared = connection.Prepare(expanded);
	if (prepared.Type() == StatementType::LOAD) {
		throw PermissionError("installing or loading DuckDB extensions is not allowed: the extensions DeltaDuck "
		                      "ships are loaded already");
	}
	return prepared;
}

} // namespace

UserStatement::UserStatement(Connection &connection, const fs::path &data_dir, const std::string &text)
    : prepared(PrepareExpanded(connection, data_dir, text, expanded, reads)) {
}

} // namespace deltaduck::worker
