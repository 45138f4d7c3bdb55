#pragma once

#include "delta/log_segment.hpp"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deltaduck::delta {

//! When each commit happened, by the one definition history and time travel share: the inCommitTimestamp its
//! commitInfo records when the table has In-Commit Timestamps, else the commit file's modification time (the
//! protocol's rule; a table copied with `cp -r` has them all equal), made non-decreasing as Delta readers do
//! for clocks that went backwards. One value per commit, in the order given (ascending versions).
std::vector<int64_t> CommitTimestamps(const std::filesystem::path &log_dir, const std::vector<CommitFile> &commits);

//! One commit as history shows it.
struct HistoryEntry {
	int64_t version = 0;
	//! Milliseconds since the epoch (see CommitTimestamps).
	int64_t timestamp_ms = 0;
	std::string operation;
	nlohmann::json parameters = nlohmann::json::object();
	nlohmann::json metrics = nlohmann::json::object();
};

//! The table's commits, newest first, at most `limit`.
std::vector<HistoryEntry> History(const std::filesystem::path &table_root, size_t limit);

} // namespace deltaduck::delta
