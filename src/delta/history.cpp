#include "delta/history.hpp"

#include "common/error.hpp"
#include "delta/actions.hpp"
#include "delta/checkpoint_reader.hpp"
#include "delta/typed_errors.hpp"

#include <algorithm>
#include <fstream>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

//! The inCommitTimestamp of a commit, if its first action (where In-Commit Timestamps put commitInfo) has one.
std::optional<int64_t> InCommitTimestamp(const fs::path &file) {
	std::ifstream in(file, std::ios::binary);
	std::string line;
	if (!in || !std::getline(in, line)) {
		return std::nullopt;
	}
	auto first = json::parse(line, nullptr, false);
	if (!first.is_object()) {
		return std::nullopt;
	}
	auto info = first.find(field::COMMIT_INFO);
	if (info == first.end() || !info->is_object()) {
		return std::nullopt;
	}
	auto timestamp = info->find("inCommitTimestamp");
	if (timestamp == info->end() || !timestamp->is_number_integer()) {
		return std::nullopt;
	}
	return timestamp->get<int64_t>();
}

} // namespace

std::vector<int64_t> CommitTimestamps(const fs::path &log_dir, const std::vector<CommitFile> &commits) {
	std::vector<int64_t> times;
	times.reserve(commits.size());
	for (const auto &commit : commits) {
		auto time = InCommitTimestamp(log_dir / commit.path.filename).value_or(commit.modification_time_ms);
		times.push_back(times.empty() ? time : std::max(time, times.back()));
	}
	return times;
}

std::vector<HistoryEntry> History(const fs::path &table_root, size_t limit) {
	return WithTypedErrors(table_root, [&]() -> std::vector<HistoryEntry> {
		auto log_dir = table_root / "_delta_log";
		auto commits = ListCommits(table_root);
		auto times = CommitTimestamps(log_dir, commits);
		std::vector<HistoryEntry> history;
		for (size_t i = commits.size(); i-- > 0 && history.size() < limit;) {
			HistoryEntry entry;
			entry.version = commits[i].path.version;
			entry.timestamp_ms = times[i];
			for (const auto &action : ReadJsonActions(log_dir / commits[i].path.filename)) {
				auto info = action.find(field::COMMIT_INFO);
				if (info == action.end() || !info->is_object()) {
					continue;
				}
				entry.operation = info->value("operation", "");
				entry.parameters = info->value("operationParameters", json::object());
				entry.metrics = info->value("operationMetrics", json::object());
			}
			history.push_back(std::move(entry));
		}
		return history;
	});
}

} // namespace deltaduck::delta
