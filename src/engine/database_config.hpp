#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deltaduck {

//! How a DuckDB database is opened. `Defaults()` sizes it to the machine (or container) it runs on.
struct DatabaseConfig {
	//! ":memory:" or a database file.
	std::string path = ":memory:";
	//! Worker threads; from the CPU quota by default.
	uint32_t threads = 1;
	//! DuckDB's memory limit in bytes; leaves headroom below the cgroup or machine limit.
	uint64_t memory_limit_bytes = 0;
	//! Where operators spill when they exceed the memory limit; empty disables spilling.
	std::string temp_directory;
	//! Upper bound on what the temp directory may hold.
	uint64_t max_temp_directory_bytes = 0;
	//! Where extensions are loaded from (`<dir>/v<duckdb version>/<platform>/<name>.duckdb_extension`).
	std::string extension_directory;
	//! Extensions loaded at open; a missing one fails the feature that needs it, not the open.
	std::vector<std::string> extensions;
	//! Statements run once at open, after the extensions load and before file access is locked: ATTACH of a
	//! server database, which SQL itself may not do afterwards.
	std::vector<std::string> startup_sql;
	//! The catalogs those statements attach, by name.
	std::vector<std::string> attached;
	//! Whether results keep the order of their input. Writers turn it off: DuckDB then streams large
	//! COPYs in far less memory (row order means nothing in a Delta table).
	bool preserve_insertion_order = true;
	//! When non-empty, SQL may read and write files only below these directories. DuckDB compares paths
	//! as written: an absolute entry covers absolute paths, a relative one paths relative to the working
	//! directory.
	std::vector<std::string> allowed_directories;
	//! Single files SQL may also touch (compared as written, like the directories).
	std::vector<std::string> allowed_paths;

	//! Safe defaults for this machine: threads from the CPU quota, memory limit at 75% of the available
	//! memory (or $DELTADUCK_MEMORY_LIMIT, e.g. 512MB), a per-process temp directory bounded to 16 GiB, our
	//! extension directory.
	static DatabaseConfig Defaults();
};

//! Parses a byte size such as 1024, 512MB or 2GiB; InvalidInputError otherwise.
uint64_t ParseByteSize(const std::string &text);
//! CPUs this process may use: the cgroup quota if set, else the affinity mask.
uint32_t AvailableCpus();
//! Bytes this process may use: the cgroup memory limit if set, else physical memory.
uint64_t AvailableMemoryBytes();
//! The extension directory shipped with the build (set at compile time, overridable by
//! DELTADUCK_EXTENSION_DIRECTORY).
std::string DefaultExtensionDirectory();

} // namespace deltaduck
