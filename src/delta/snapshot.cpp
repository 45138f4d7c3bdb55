#include "delta/snapshot.hpp"

#include <list>
#include <mutex>

#include "common/error.hpp"
#include "delta/checkpoint_reader.hpp"
#include "delta/table_features.hpp"

#include <nlohmann/json.hpp>
#include <unordered_set>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

//! Applies actions newest first (delta-kernel's reconciliation): the first protocol, metadata, txn per
//! app and domain per name seen win; an add is live unless a newer action already named its key.
class LogReplay {
public:
	explicit LogReplay(Snapshot &snapshot) : snapshot_(snapshot) {
	}

	//! One commit's actions: adds are judged against newer commits only, then every key is remembered.
	void ApplyCommit(const std::vector<json> &actions) {
		std::vector<std::string> keys;
		for (const auto &line : actions) {
			if (auto add = line.find(field::ADD); add != line.end()) {
				auto parsed = ParseAdd(*add);
				auto key = FileKey(parsed.path, parsed.deletion_vector);
				if (!seen_.count(key)) {
					snapshot_.files_.push_back(std::move(parsed));
				}
				keys.push_back(std::move(key));
			} else if (auto remove = line.find(field::REMOVE); remove != line.end()) {
				auto parsed = ParseRemove(*remove);
				auto key = FileKey(parsed.path, parsed.deletion_vector);
				if (!seen_.count(key)) {
					snapshot_.tombstones_.push_back(std::move(parsed));
				}
				keys.push_back(std::move(key));
			} else {
				ApplyNonFileAction(line);
			}
		}
		seen_.insert(keys.begin(), keys.end());
	}

	//! A checkpoint's action: removes there are only tombstones (for vacuum and the next checkpoint).
	void ApplyCheckpointAction(const json &line) {
		if (auto add = line.find(field::ADD); add != line.end()) {
			auto parsed = ParseAdd(*add);
			if (!seen_.count(FileKey(parsed.path, parsed.deletion_vector))) {
				snapshot_.files_.push_back(std::move(parsed));
			}
		} else if (auto remove = line.find(field::REMOVE); remove != line.end()) {
			auto parsed = ParseRemove(*remove);
			if (!seen_.count(FileKey(parsed.path, parsed.deletion_vector))) {
				snapshot_.tombstones_.push_back(std::move(parsed));
			}
		} else {
			ApplyNonFileAction(line);
		}
	}

	bool HasProtocol() const {
		return have_protocol_;
	}
	bool HasMetadata() const {
		return have_metadata_;
	}

private:
	void ApplyNonFileAction(const json &line) {
		if (auto protocol = line.find(field::PROTOCOL); protocol != line.end()) {
			if (!have_protocol_) {
				snapshot_.protocol_ = ParseProtocol(*protocol);
				have_protocol_ = true;
			}
		} else if (auto metadata = line.find(field::METADATA); metadata != line.end()) {
			if (!have_metadata_) {
				snapshot_.metadata_ = ParseMetadata(*metadata);
				have_metadata_ = true;
			}
		} else if (auto txn = line.find(field::TXN); txn != line.end()) {
			auto parsed = ParseSetTransaction(*txn);
			snapshot_.transactions_.try_emplace(parsed.app_id, parsed);
		} else if (auto domain = line.find(field::DOMAIN_METADATA); domain != line.end()) {
			auto parsed = ParseDomainMetadata(*domain);
			if (seen_domains_.insert(parsed.domain).second && !parsed.removed) {
				snapshot_.domains_[parsed.domain] = parsed;
			}
		}
	}

	Snapshot &snapshot_;
	std::unordered_set<std::string> seen_;
	std::unordered_set<std::string> seen_domains_;
	bool have_protocol_ = false;
	bool have_metadata_ = false;
};

const Metadata &Snapshot::GetMetadata() const {
	if (!missing_metadata_.empty()) {
		throw CorruptError(missing_metadata_);
	}
	return metadata_;
}

const Schema &Snapshot::GetSchema() const {
	GetMetadata();
	return schema_;
}

bool Snapshot::UsesColumnMapping() const {
	auto mode = metadata_.configuration.find("delta.columnMapping.mode");
	return mode != metadata_.configuration.end() && mode->second != "none";
}

fs::path Snapshot::ResolvePath(const std::string &path) const {
	if (path.rfind("file:", 0) == 0) {
		// file:/abs, file:///abs
		auto rest = path.substr(5);
		while (rest.rfind("//", 0) == 0) {
			rest = rest.substr(1);
		}
		return rest;
	}
	auto scheme = path.find("://");
	if (scheme != std::string::npos && path.find('/') > scheme) {
		throw UnsupportedError("unsupported data file location " + path + ": only local files can be read");
	}
	if (!path.empty() && path[0] == '/') {
		return path;
	}
	return table_root_ / path;
}

std::shared_ptr<const Snapshot> Snapshot::Load(Connection &connection, const fs::path &table_root,
                                               const VersionSpec &spec) {
	return Replay(connection, table_root, LogSegment::Build(table_root, spec), true);
}

std::shared_ptr<const Snapshot> Snapshot::LoadMetadataOnly(Connection &connection, const fs::path &table_root,
                                                           const VersionSpec &spec) {
	return Replay(connection, table_root, LogSegment::Build(table_root, spec), false);
}

namespace {

//! Snapshots loaded recently, by table and log segment: the most recent ones stay.
class SnapshotCache {
public:
	std::shared_ptr<const Snapshot> Find(const std::string &key) {
		std::lock_guard<std::mutex> lock(mutex_);
		for (auto it = entries_.begin(); it != entries_.end(); ++it) {
			if (it->first == key) {
				entries_.splice(entries_.begin(), entries_, it); // most recently used first
				return entries_.front().second;
			}
		}
		return nullptr;
	}
	void Add(const std::string &key, std::shared_ptr<const Snapshot> snapshot) {
		std::lock_guard<std::mutex> lock(mutex_);
		entries_.emplace_front(key, std::move(snapshot));
		if (entries_.size() > MAX_SNAPSHOTS) {
			entries_.pop_back();
		}
	}

private:
	static constexpr size_t MAX_SNAPSHOTS = 64;
	std::mutex mutex_;
	std::list<std::pair<std::string, std::shared_ptr<const Snapshot>>> entries_;
};

} // namespace

std::shared_ptr<const Snapshot> Snapshot::LoadCached(Connection &connection, const fs::path &table_root,
                                                     const VersionSpec &spec) {
	static SnapshotCache cache;
	auto segment = LogSegment::Build(table_root, spec);
	// A version's files never change, but a table can be deleted and made anew at the same version number:
	// the newest log file's name and write time tell the two apart.
	std::string key = table_root.lexically_normal().string() + "\n" + std::to_string(segment.version) + "\n";
	if (!segment.commits.empty()) {
		key += segment.commits.back().path.filename + "@" + std::to_string(segment.commits.back().modification_time_ms);
	} else if (!segment.checkpoint_parts.empty()) {
		std::error_code error;
		auto written = fs::last_write_time(segment.log_dir / segment.checkpoint_parts.front().filename, error);
		key += segment.checkpoint_parts.front().filename + "@" + std::to_string(written.time_since_epoch().count());
	}
	if (auto cached = cache.Find(key)) {
		return cached;
	}
	auto snapshot = Replay(connection, table_root, segment, true);
	cache.Add(key, snapshot);
	return snapshot;
}

std::shared_ptr<const Snapshot> Snapshot::Replay(Connection &connection, const fs::path &table_root,
                                                 const LogSegment &segment, bool check_features) {
	auto snapshot = std::make_shared<Snapshot>();
	snapshot->table_root_ = table_root;
	snapshot->version_ = segment.version;
	LogReplay replay(*snapshot);
	for (auto it = segment.commits.rbegin(); it != segment.commits.rend(); ++it) {
		replay.ApplyCommit(ReadJsonActions(segment.log_dir / it->path.filename));
	}
	if (!segment.checkpoint_parts.empty()) {
		ReadCheckpoint(connection, segment, [&](const json &action) { replay.ApplyCheckpointAction(action); });
	}
	std::string where = table_root.string() + " at version " + std::to_string(segment.version);
	if (!replay.HasProtocol()) {
		throw CorruptError("cannot read " + where + ": the log has no protocol action");
	}
	if (check_features) {
		CheckReadSupported(snapshot->protocol_);
	}
	if (!replay.HasMetadata()) {
		// Like Delta Standalone, the file list loads without metadata; whatever needs the schema fails.
		snapshot->missing_metadata_ = "cannot read " + where + ": the log has no metaData action";
		return snapshot;
	}
	if (snapshot->metadata_.format_provider != "parquet") {
		throw UnsupportedError("unsupported data file format " + snapshot->metadata_.format_provider + " in " + where);
	}
	try {
		snapshot->schema_ = Schema::Parse(snapshot->metadata_.schema_string);
	} catch (const Error &) {
		if (check_features) {
			throw;
		}
		// Described only: a type this reader cannot read leaves the schema to the raw schema string.
	}
	return snapshot;
}

} // namespace deltaduck::delta
