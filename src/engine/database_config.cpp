#include "engine/database_config.hpp"

#include <algorithm>
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

DatabaseConfig DatabaseConfig::Defaults() {
	DatabaseConfig config;
	config.threads = AvailableCpus();
	// DuckDB's limit covers its buffer pool, not our own allocations or the allocator's slack: leave a quarter.
	config.memory_limit_bytes = AvailableMemoryBytes() / 4 * 3;
	config.temp_directory =
	    (std::filesystem::temp_directory_path() / ("deltaduck-spill-" + std::to_string(getpid()))).string();
	config.max_temp_directory_bytes = uint64_t(16) << 30;
	config.extension_directory = DefaultExtensionDirectory();
	return config;
}

} // namespace deltaduck
