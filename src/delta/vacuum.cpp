#include "delta/vacuum.hpp"

#include "common/error.hpp"
#include "delta/checkpoint_reader.hpp"
#include "delta/deletion_vector.hpp"
#include "delta/log_segment.hpp"
#include "delta/snapshot.hpp"
#include "delta/typed_errors.hpp"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/stat.h>

namespace deltaduck::delta {

namespace fs = std::filesystem;

VacuumResult Vacuum(Connection &connection, const fs::path &table_root, double retention_hours, bool dry_run,
                    bool force) {
	return WithTypedErrors(table_root, [&]() -> VacuumResult {
		if (retention_hours < 0) {
			throw InvalidInputError("retention must not be negative");
		}
		if (retention_hours < SAFE_RETENTION_HOURS && !force) {
			char hours[32];
			std::snprintf(hours, sizeof(hours), "%g", retention_hours);
			throw InvalidInputError(std::string("refusing to vacuum with a retention of ") + hours +
			                        " hours, below the safe " + std::to_string(static_cast<int>(SAFE_RETENTION_HOURS)) +
			                        ": readers of older versions and running writers may still need those files (force "
			                        "it if you are sure)");
		}
		auto snapshot = Snapshot::Load(connection, table_root);
		std::set<fs::path> referenced;
		for (const auto &add : snapshot->Files()) {
			referenced.insert(snapshot->ResolvePath(add.path).lexically_normal());
			if (add.deletion_vector && add.deletion_vector->storage_type == 'u') {
				referenced.insert(DeletionVectorPath(table_root, *add.deletion_vector).lexically_normal());
			}
		}
		auto cutoff =
		    std::chrono::system_clock::now() - std::chrono::duration<double, std::ratio<3600>>(retention_hours);
		auto cutoff_seconds = std::chrono::duration_cast<std::chrono::seconds>(cutoff.time_since_epoch()).count();
		// A file removed within the retention is still read by the versions before its removal: the tombstone
		// protects it, however old the file itself is.
		auto cutoff_ms = std::chrono::duration_cast<std::chrono::milliseconds>(cutoff.time_since_epoch()).count();
		// The snapshot's tombstones come from its commits and its checkpoint alike (commits may have been cleaned up).
		// One without a deletion time is kept: when it was removed is unknown.
		for (const auto &remove : snapshot->Tombstones()) {
			if (remove.deletion_timestamp && *remove.deletion_timestamp <= cutoff_ms) {
				continue;
			}
			referenced.insert(snapshot->ResolvePath(remove.path).lexically_normal());
			if (remove.deletion_vector && remove.deletion_vector->storage_type == 'u') {
				referenced.insert(DeletionVectorPath(table_root, *remove.deletion_vector).lexically_normal());
			}
		}
		VacuumResult result;
		std::error_code error;
		for (auto it = fs::recursive_directory_iterator(table_root, error); it != fs::recursive_directory_iterator();
		     it.increment(error)) {
			if (error) {
				throw IOError("cannot list " + table_root.string() + ": " + error.message());
			}
			if (it->is_directory() && it->path().filename() == "_delta_log") {
				it.disable_recursion_pending();
				continue;
			}
			if (!it->is_regular_file() || referenced.count(it->path().lexically_normal())) {
				continue;
			}
			struct stat info;
			if (::stat(it->path().c_str(), &info) != 0 || info.st_mtim.tv_sec > cutoff_seconds) {
				continue;
			}
			result.files.push_back(it->path().lexically_relative(table_root).string());
			result.bytes += static_cast<uint64_t>(info.st_size);
		}
		if (!dry_run) {
			for (const auto &file : result.files) {
				fs::remove(table_root / file, error);
				if (error) {
					throw IOError("cannot remove " + file + ": " + error.message());
				}
			}
		}
		return result;
	});
}

} // namespace deltaduck::delta
