#pragma once

#include "delta/log_path.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace deltaduck::delta {

//! Which version of a table to read: the latest, a version, or the one current at a time.
struct VersionSpec {
	std::optional<int64_t> version;
	//! Milliseconds since the epoch.
	std::optional<int64_t> timestamp_ms;
};

//! A commit file with the time it was written.
struct CommitFile {
	ParsedLogPath path;
	//! File modification time in milliseconds since the epoch.
	int64_t modification_time_ms = 0;
};

//! The log files that make up one version: the newest complete checkpoint at or below it and the
//! commits after it (delta-kernel's LogSegment).
struct LogSegment {
	std::filesystem::path log_dir;
	int64_t version = -1;
	//! The checkpoint's parts (one file, or all parts of a multi-part checkpoint); empty without one.
	std::vector<ParsedLogPath> checkpoint_parts;
	//! Commits after the checkpoint up to `version`, ascending.
	std::vector<CommitFile> commits;

	//! Builds the segment for `spec` from a listing of `<table_root>/_delta_log`. `_last_checkpoint` is
	//! not needed (the listing is authoritative). Throws NotFoundError when the folder is not a Delta table
	//! or the version does not exist, CorruptError when commit versions have a gap.
	static LogSegment Build(const std::filesystem::path &table_root, const VersionSpec &spec);
};

//! Every commit in the log with its file time, ascending (CommitTimestamps turns them into commit times).
std::vector<CommitFile> ListCommits(const std::filesystem::path &table_root);

//! The commit file of `version` with its file time (one stat), if it exists.
std::optional<CommitFile> StatCommit(const std::filesystem::path &log_dir, int64_t version);

} // namespace deltaduck::delta
