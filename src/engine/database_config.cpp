#include "engine/database_config.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sched.h>
#include <sstream>
#include <unistd.h>

#ifndef DELTADUCK_EXTENSION_DIRECTORY
#define DELTADUCK_EXTENSION_DIRECTORY ""
#endif

namespace deltaduck {

static std::string ReadFirstLine(const char *path) {
	std::ifstream in(path);
	std::string line;
	std::getline(in, line);
	return line;
}

uint32_t AvailableCpus() {
	cpu_set_t set;
	uint32_t cpus = 1;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		cpus = std::max(1, CPU_COUNT(&set));
	}
	// cgroup v2: "max 100000" or "<quota> <period>".
	std::istringstream quota_line(ReadFirstLine("/sys/fs/cgroup/cpu.max"));
	std::string quota;
	uint64_t period = 0;
	if (quota_line >> quota >> period && quota != "max" && period > 0) {
		auto quota_cpus = static_cast<uint32_t>((std::stoull(quota) + period - 1) / period);
		cpus = std::clamp<uint32_t>(quota_cpus, 1, cpus);
	}
	return cpus;
}

uint64_t AvailableMemoryBytes() {
	uint64_t physical = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
	auto limit = ReadFirstLine("/sys/fs/cgroup/memory.max");
	if (!limit.empty() && limit != "max") {
		return std::min<uint64_t>(physical, std::stoull(limit));
	}
	return physical;
}

std::string DefaultExtensionDirectory() {
	if (const char *env = std::getenv("DELTADUCK_EXTENSION_DIRECTORY")) {
		return env;
	}
	return DELTADUCK_EXTENSION_DIRECTORY;
}

uint64_t ParseByteSize(const std::string &text) {
	size_t end = 0;
	double value = 0;
	try {
		value = std::stod(text, &end);
	} catch (const std::exception &) {
		end = 0;
	}
	auto unit = text.substr(end);
	unit.erase(0, unit.find_first_not_of(' '));
	for (auto &c : unit) {
		c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	}
	static const std::pair<const char *, double> UNITS[] = {
	    {"", 1},     {"B", 1},        {"KB", 1e3},        {"MB", 1e6},
	    {"GB", 1e9}, {"KIB", 1024.0}, {"MIB", 1048576.0}, {"GIB", 1073741824.0}};
	for (const auto &[name, factor] : UNITS) {
		if (end > 0 && value > 0 && unit == name) {
			return static_cast<uint64_t>(value * factor);
		}
	}
	throw InvalidInputError("invalid size '" + text + "' (expected e.g. 512MB or 2GiB)");
}

DatabaseConfig DatabaseConfig::Defaults() {
	DatabaseConfig config;
	config.threads = AvailableCpus();
	// DuckDB's limit covers its buffer pool, not our own allocations or the allocator's slack: leave a quarter.
	config.memory_limit_bytes = AvailableMemoryBytes() / 4 * 3;
	if (const char *limit = std::getenv("DELTADUCK_MEMORY_LIMIT"); limit && *limit) {
		config.memory_limit_bytes = ParseByteSize(limit);
	}
	config.temp_directory =
	    (std::filesystem::temp_directory_path() / ("deltaduck-spill-" + std::to_string(getpid()))).string();
	config.max_temp_directory_bytes = uint64_t(16) << 30;
	config.extension_directory = DefaultExtensionDirectory();
	return config;
}

} // namespace deltaduck
