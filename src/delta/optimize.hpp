#pragma once

#include <cstdint>
#include <filesystem>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

struct OptimizeResult {
	//! The committed version; -1 when there was nothing to compact.
	int64_t version = -1;
	size_t files_removed = 0;
	size_t files_added = 0;
	uint64_t bytes_removed = 0;
	uint64_t bytes_added = 0;
};

//! Compacts small files: within each partition, files below `target_size` (without deletion vectors) are
//! rewritten into files of about that size, committed as removes and adds with dataChange false (readers
//! of the change feed see no new data). A concurrent append is not a conflict (the commit is retried); a
//! concurrent change to the compacted files is a ConflictError.
OptimizeResult Optimize(Connection &connection, const std::filesystem::path &table_root, uint64_t target_size);

} // namespace deltaduck::delta
