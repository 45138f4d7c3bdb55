#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

//! The retention below which vacuum refuses to run unless forced (as Spark and delta-rs: 7 days), so that
//! readers of older versions and writers still in flight keep their files.
constexpr double SAFE_RETENTION_HOURS = 168;

struct VacuumResult {
	//! Files removed (or, on a dry run, that would be), relative to the table root.
	std::vector<std::string> files;
	uint64_t bytes = 0;
};

//! Removes files under the table that the latest version does not reference and that are older than
//! `retention_hours`: data files of overwritten or deleted data, unused deletion vectors, and leftovers of
//! failed writes. `_delta_log` is never touched. Throws InvalidInputError for a retention below
//! SAFE_RETENTION_HOURS unless `force`.
VacuumResult Vacuum(Connection &connection, const std::filesystem::path &table_root, double retention_hours,
                    bool dry_run, bool force);

} // namespace deltaduck::delta
