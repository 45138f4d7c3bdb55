#include "delta/log_segment.hpp"

#include "delta/history.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <sys/stat.h>
#include <system_error>

namespace deltaduck::delta {

namespace fs = std::filesystem;

namespace {

int64_t ModificationTimeMs(const fs::directory_entry &entry) {
	struct stat info;
	if (::stat(entry.path().c_str(), &info) != 0) {
		return 0;
	}
	return static_cast<int64_t>(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1000000;
}

struct LogListing {
	std::map<int64_t, CommitFile> commits;
	std::map<int64_t, std::vector<ParsedLogPath>> checkpoints;
};

LogListing ListLog(const fs::path &table_root) {
	auto log_dir = table_root / "_delta_log";
	std::error_code error;
	if (!fs::is_directory(log_dir, error)) {
		throw NotFoundError("not a Delta table: no _delta_log folder in " + table_root.string());
	}
	LogListing listing;
	for (const auto &entry : fs::directory_iterator(log_dir, error)) {
		auto parsed = ParsedLogPath::Parse(entry.path().filename().string());
		if (!parsed || !entry.is_regular_file()) {
			continue;
		}
		if (parsed->type == LogPathType::COMMIT) {
			listing.commits[parsed->version] = CommitFile{*parsed, ModificationTimeMs(entry)};
		} else if (parsed->IsCheckpoint()) {
			listing.checkpoints[parsed->version].push_back(*parsed);
		}
	}
	if (error) {
		throw IOError("cannot list " + log_dir.string() + ": " + error.message());
	}
	if (listing.commits.empty() && listing.checkpoints.empty()) {
		throw NotFoundError("not a Delta table: " + log_dir.string() + " holds no commits");
	}
	return listing;
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

std::vector<CommitFile> ListCommits(const fs::path &table_root) {
	auto listing = ListLog(table_root);
	std::vector<CommitFile> commits;
	for (auto &[version, commit] : listing.commits) {
		commits.push_back(commit);
	}
	return commits;
}

LogSegment LogSegment::Build(const fs::path &table_root, const VersionSpec &spec) {
	auto listing = ListLog(table_root);
	int64_t latest = -1;
	if (!listing.commits.empty()) {
		latest = listing.commits.rbegin()->first;
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
		std::vector<CommitFile> commits;
		for (auto &[version, commit] : listing.commits) {
			commits.push_back(commit);
		}
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
	for (int64_t version = checkpoint_version + 1; version <= target; version++) {
		auto commit = listing.commits.find(version);
		if (commit == listing.commits.end()) {
			if (checkpoint_version < 0 && version == 0) {
				throw CorruptError("cannot read " + table_root.string() + " at version " + std::to_string(target) +
				                   ": _delta_log has neither commit 0 nor a checkpoint to start from");
			}
			throw CorruptError("missing commit version " + std::to_string(version) + " in " + segment.log_dir.string() +
			                   ": commit versions must be contiguous");
		}
		segment.commits.push_back(commit->second);
	}
	return segment;
}

} // namespace deltaduck::delta
