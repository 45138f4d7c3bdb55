#include "delta/log_segment.hpp"

#include "delta/history.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <sys/stat.h>
#include <system_error>

namespace deltaduck::delta {

namespace fs = std::filesystem;

namespace {

struct LogListing {
	std::vector<int64_t> commits; // versions, ascending
	std::map<int64_t, std::vector<ParsedLogPath>> checkpoints;

	bool HasCommit(int64_t version) const {
		return std::binary_search(commits.begin(), commits.end(), version);
	}
};

//! Whether `name` can be a commit file, NNNNNNNNNNNNNNNNNNNN.json, checked without allocating (a log holds
//! thousands of them; ParsedLogPath::Parse would copy each name).
std::optional<int64_t> CommitVersion(std::string_view name) {
	if (name.size() != 25 || name.substr(20) != ".json") {
		return std::nullopt;
	}
	int64_t version = 0;
	auto result = std::from_chars(name.data(), name.data() + 20, version);
	if (result.ec != std::errc() || result.ptr != name.data() + 20 || name[0] == '-' || name[0] == '+') {
		return std::nullopt;
	}
	return version;
}

//! The log's commits and checkpoints, read with readdir: a log of 10,000 commits took 10 ms through
//! std::filesystem's path objects, and 40 ms when every commit's time was read too (now CommitFiles does that).
LogListing ListLog(const fs::path &table_root) {
	auto log_dir = table_root / "_delta_log";
	std::unique_ptr<DIR, int (*)(DIR *)> dir(::opendir(log_dir.c_str()), ::closedir);
	if (!dir) {
		if (errno == ENOENT || errno == ENOTDIR) {
			throw NotFoundError("not a Delta table: no _delta_log folder in " + table_root.string());
		}
		throw IOError("cannot list " + log_dir.string() + ": " + std::strerror(errno));
	}
	LogListing listing;
	while (true) {
		errno = 0; // readdir says "no more" and "failed" alike, apart from errno
		auto *entry = ::readdir(dir.get());
		if (!entry) {
			break;
		}
		std::string_view name(entry->d_name);
		bool regular = entry->d_type == DT_REG;
		if (entry->d_type == DT_UNKNOWN || entry->d_type == DT_LNK) { // a stat decides (links are followed)
			struct stat info;
			regular = ::stat((log_dir / entry->d_name).c_str(), &info) == 0 && S_ISREG(info.st_mode);
		}
		if (!regular) {
			continue;
		}
		if (auto version = CommitVersion(name)) {
			listing.commits.push_back(*version);
		} else if (name.find(".checkpoint.") == 20) {
			if (auto parsed = ParsedLogPath::Parse(std::string(name)); parsed && parsed->IsCheckpoint()) {
				listing.checkpoints[parsed->version].push_back(*parsed);
			}
		}
	}
	if (errno != 0) {
		throw IOError("cannot list " + log_dir.string() + ": " + std::strerror(errno));
	}
	std::sort(listing.commits.begin(), listing.commits.end());
	if (listing.commits.empty() && listing.checkpoints.empty()) {
		throw NotFoundError("not a Delta table: " + log_dir.string() + " holds no commits");
	}
	return listing;
}

//! The commit files of `versions` with their file times.
std::vector<CommitFile> CommitFiles(const fs::path &log_dir, const std::vector<int64_t> &versions) {
	std::vector<CommitFile> commits;
	commits.reserve(versions.size());
	for (auto version : versions) {
		// A commit gone since the listing keeps time 0 (the listing decided it was there).
		commits.push_back(
		    StatCommit(log_dir, version).value_or(CommitFile{*ParsedLogPath::Parse(CommitFileName(version)), 0}));
	}
	return commits;
}

//! The parts of a complete checkpoint among `files` (all written for one version), preferring the one
//! with fewest files; empty if none is complete.
std::vector<ParsedLogPath> CompleteCheckpoint(const std::vector<ParsedLogPath> &files) {
	std::vector<ParsedLogPath> best;
	std::map<int32_t, std::map<int32_t, ParsedLogPath>> multi_part; // parts count -> part -> file
	for (const auto &file : files) {
		if (file.type == LogPathType::CHECKPOINT || file.type == LogPathType::V2_CHECKPOINT) {
			return {file};
		}
		multi_part[file.num_parts][file.part] = file;
	}
	for (const auto &[num_parts, parts] : multi_part) {
		if (static_cast<int32_t>(parts.size()) == num_parts) {
			for (const auto &[part, file] : parts) {
				best.push_back(file);
			}
			return best;
		}
	}
	return best;
}

std::string FormatMs(int64_t ms) {
	auto seconds = std::chrono::sys_seconds(std::chrono::seconds(ms / 1000));
	auto days = std::chrono::floor<std::chrono::days>(seconds);
	std::chrono::year_month_day date(days);
	std::chrono::hh_mm_ss time(seconds - days);
	char buffer[64];
	std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02ld:%02ld:%02lld.%03lldZ", int(date.year()),
	              unsigned(date.month()), unsigned(date.day()), long(time.hours().count()),
	              long(time.minutes().count()), static_cast<long long>(time.seconds().count()),
	              static_cast<long long>(((ms % 1000) + 1000) % 1000));
	return buffer;
}

} // namespace

std::optional<CommitFile> StatCommit(const fs::path &log_dir, int64_t version) {
	auto name = CommitFileName(version);
	struct stat info;
	if (::stat((log_dir / name).c_str(), &info) != 0) {
		return std::nullopt;
	}
	return CommitFile{*ParsedLogPath::Parse(name),
	                  static_cast<int64_t>(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1000000};
}

std::vector<CommitFile> ListCommits(const fs::path &table_root) {
	return CommitFiles(table_root / "_delta_log", ListLog(table_root).commits);
}

LogSegment LogSegment::Build(const fs::path &table_root, const VersionSpec &spec) {
	auto listing = ListLog(table_root);
	int64_t latest = -1;
	if (!listing.commits.empty()) {
		latest = listing.commits.back();
	}
	if (!listing.checkpoints.empty()) {
		latest = std::max(latest, listing.checkpoints.rbegin()->first);
	}

	int64_t target = latest;
	if (spec.version) {
		if (*spec.version < 0) {
			throw InvalidInputError("invalid table version " + std::to_string(*spec.version));
		}
		if (*spec.version > latest) {
			throw NotFoundError("version " + std::to_string(*spec.version) + " of " + table_root.string() +
			                    " does not exist (latest is " + std::to_string(latest) + ")");
		}
		target = *spec.version;
	} else if (spec.timestamp_ms) {
		auto commits = CommitFiles(table_root / "_delta_log", listing.commits);
		auto times = CommitTimestamps(table_root / "_delta_log", commits);
		target = -1;
		for (size_t i = 0; i < commits.size(); i++) {
			if (times[i] <= *spec.timestamp_ms) {
				target = commits[i].path.version;
			}
		}
		if (target < 0) {
			throw NotFoundError(
			    "no version of " + table_root.string() + " exists at " + FormatMs(*spec.timestamp_ms) +
			    (commits.empty() ? std::string() : ": the earliest commit is at " + FormatMs(times.front())));
		}
	}

	LogSegment segment;
	segment.log_dir = table_root / "_delta_log";
	segment.version = target;
	int64_t checkpoint_version = -1;
	for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
		if (it->first > target) {
			continue;
		}
		auto parts = CompleteCheckpoint(it->second);
		if (!parts.empty()) {
			segment.checkpoint_parts = std::move(parts);
			checkpoint_version = it->first;
			break;
		}
	}
	std::vector<int64_t> versions;
	for (int64_t version = checkpoint_version + 1; version <= target; version++) {
		if (!listing.HasCommit(version)) {
			if (checkpoint_version < 0 && version == 0) {
				throw CorruptError("cannot read " + table_root.string() + " at version " + std::to_string(target) +
				                   ": _delta_log has neither commit 0 nor a checkpoint to start from");
			}
			throw CorruptError("missing commit version " + std::to_string(version) + " in " + segment.log_dir.string() +
			                   ": commit versions must be contiguous");
		}
		versions.push_back(version);
	}
	segment.commits = CommitFiles(segment.log_dir, versions);
	return segment;
}

} // namespace deltaduck::delta
