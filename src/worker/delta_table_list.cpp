#include "worker/delta_table_list.hpp"

#include "common/data_layout.hpp"
#include "common/error.hpp"
#include "delta/log_path.hpp"
#include "delta/snapshot.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace deltaduck::worker {

namespace fs = std::filesystem;

namespace {

//! The newest version in a log folder and when its file was written, from a listing alone.
std::pair<int64_t, int64_t> LatestVersion(const fs::path &log_dir) {
	int64_t version = -1;
	fs::path latest;
	std::error_code error;
	for (auto it = fs::directory_iterator(log_dir, error); !error && it != fs::directory_iterator();
	     it.increment(error)) {
		auto parsed = delta::ParsedLogPath::Parse(it->path().filename().string());
		if (parsed && parsed->type == delta::LogPathType::COMMIT && parsed->version > version) {
			version = parsed->version;
			latest = it->path();
		}
	}
	int64_t modified_ms = 0;
	if (!latest.empty()) {
		auto time = fs::last_write_time(latest, error);
		if (!error) {
			auto since_epoch = std::chrono::file_clock::to_sys(time).time_since_epoch();
			modified_ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
		}
	}
	return {version, modified_ms};
}

DeltaTableSummary Summarize(Connection &connection, const fs::path &root, const std::string &name) {
	DeltaTableSummary summary;
	summary.name = name;
	auto snapshot = delta::Snapshot::Load(connection, root);
	summary.version = snapshot->Version();
	uint64_t rows = 0;
	bool rows_known = true;
	for (const auto &file : snapshot->Files()) {
		summary.bytes += static_cast<uint64_t>(file.size);
		summary.files++;
		auto stats = file.stats ? nlohmann::json::parse(*file.stats, nullptr, false) : nlohmann::json();
		if (stats.is_object() && stats["numRecords"].is_number_unsigned()) {
			rows += stats["numRecords"].get<uint64_t>();
		} else {
			rows_known = false;
		}
	}
	if (rows_known) {
		summary.rows = rows;
	}
	return summary;
}

} // namespace

std::vector<DeltaTableSummary> DeltaTableList::List(Connection &connection, const fs::path &data_dir) {
	std::vector<DeltaTableSummary> tables;
	std::error_code error;
	for (auto it = fs::directory_iterator(data_dir / DELTA_DIR, error); !error && it != fs::directory_iterator();
	     it.increment(error)) {
		auto log_dir = it->path() / "_delta_log";
		std::error_code not_a_table;
		if (!fs::is_directory(log_dir, not_a_table)) {
			continue; // other folders, and ones we may not look into, are not Delta tables
		}
		auto name = it->path().filename().string();
		auto [version, modified_ms] = LatestVersion(log_dir);
		std::lock_guard<std::mutex> lock(mutex_);
		auto cached = cache_.find(name);
		if (cached == cache_.end() || cached->second.version != version || !cached->second.error.empty()) {
			DeltaTableSummary summary;
			try {
				summary = Summarize(connection, it->path(), name);
			} catch (const std::exception &e) {
				summary.name = name;
				summary.version = version;
				summary.error = e.what(); // reported with the table, never fatal to the listing
			}
			summary.last_change_ms = modified_ms;
			cached = cache_.insert_or_assign(name, summary).first;
		}
		tables.push_back(cached->second);
	}
	std::sort(tables.begin(), tables.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
	return tables;
}

} // namespace deltaduck::worker
