#include "delta/snapshot.hpp"

#include <list>
#include <mutex>

#include "common/error.hpp"
#include "delta/checkpoint_reader.hpp"
#include "delta/log_path.hpp"
#include "delta/table_features.hpp"
#include "delta/typed_errors.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
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
					files_.push_back(std::move(parsed));
				}
				keys.push_back(std::move(key));
			} else if (auto remove = line.find(field::REMOVE); remove != line.end()) {
				auto parsed = ParseRemove(*remove);
				auto key = FileKey(parsed.path, parsed.deletion_vector);
				if (!seen_.count(key)) {
					tombstones_.push_back(std::move(parsed));
				}
				keys.push_back(std::move(key));
			} else {
				ApplyNonFileAction(line);
			}
		}
		seen_.insert(keys.begin(), keys.end());
	}

	//! A checkpoint's add: live unless a newer commit named it.
	void ApplyCheckpointAdd(Add &&add) {
		if (!seen_.count(FileKey(add.path, add.deletion_vector))) {
			files_.push_back(std::move(add));
		}
	}

	//! A checkpoint's remove is only a tombstone (for vacuum and the next checkpoint).
	void ApplyCheckpointRemove(Remove &&remove) {
		if (!seen_.count(FileKey(remove.path, remove.deletion_vector))) {
			tombstones_.push_back(std::move(remove));
		}
	}

	//! A checkpoint's protocol, metaData, txn or domainMetadata.
	void ApplyCheckpointAction(const json &line) {
		ApplyNonFileAction(line);
	}

	//! Hands the files and tombstones found to the snapshot.
	void Finish() {
		snapshot_.files_.Append(std::move(files_));
		snapshot_.tombstones_.Append(std::move(tombstones_));
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
	std::vector<Add> files_;
	std::vector<Remove> tombstones_;
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
	return WithTypedErrors(table_root, [&]() -> std::shared_ptr<const Snapshot> {
		return Replay(connection, table_root, LogSegment::Build(table_root, spec), true);
	});
}

std::shared_ptr<const Snapshot> Snapshot::LoadMetadataOnly(Connection &connection, const fs::path &table_root,
                                                           const VersionSpec &spec) {
	return WithTypedErrors(table_root, [&]() -> std::shared_ptr<const Snapshot> {
		return Replay(connection, table_root, LogSegment::Build(table_root, spec), false);
	});
}

namespace {

//! A commit file as it was when a snapshot was made of it: its name and write time tell a version apart from a
//! version of the same number of a table deleted and made anew.
std::string CommitIdentity(const CommitFile &commit) {
	return commit.path.filename + "@" + std::to_string(commit.modification_time_ms);
}

//! Snapshots loaded recently, by table and log segment: the most recent ones stay.
class SnapshotCache {
public:
	struct Entry {
		std::string key;
		std::string table;
		//! The identity of the snapshot's newest commit ("" when it has only a checkpoint).
		std::string newest_commit;
		std::shared_ptr<const Snapshot> snapshot;
	};

	std::shared_ptr<const Snapshot> Find(const std::string &key) {
		std::lock_guard<std::mutex> lock(mutex_);
		for (auto it = entries_.begin(); it != entries_.end(); ++it) {
			if (it->key == key) {
				entries_.splice(entries_.begin(), entries_, it); // most recently used first
				return entries_.front().snapshot;
			}
		}
		return nullptr;
	}
	//! The newest snapshot of `table` that `segment` continues: one whose newest commit the segment still lists
	//! (same name and time), at an older version. Advancing it by the later commits gives the segment's version.
	std::shared_ptr<const Snapshot> FindBase(const std::string &table, const LogSegment &segment) {
		std::lock_guard<std::mutex> lock(mutex_);
		std::shared_ptr<const Snapshot> best;
		for (const auto &entry : entries_) {
			if (entry.table != table || entry.newest_commit.empty() || entry.snapshot->Version() >= segment.version ||
			    (best && best->Version() >= entry.snapshot->Version())) {
				continue;
			}
			for (const auto &commit : segment.commits) {
				if (commit.path.version == entry.snapshot->Version() && CommitIdentity(commit) == entry.newest_commit) {
					best = entry.snapshot;
				}
			}
		}
		return best;
	}
	//! The newest snapshot of `table` at its latest version when it was loaded, and its newest commit's identity.
	std::optional<Entry> Latest(const std::string &table) {
		std::lock_guard<std::mutex> lock(mutex_);
		std::optional<Entry> best;
		for (const auto &entry : entries_) {
			if (entry.table == table && !entry.newest_commit.empty() &&
			    (!best || best->snapshot->Version() < entry.snapshot->Version())) {
				best = entry;
			}
		}
		return best;
	}
	void Add(Entry entry) {
		std::lock_guard<std::mutex> lock(mutex_);
		entries_.push_front(std::move(entry));
		if (entries_.size() > MAX_SNAPSHOTS) {
			entries_.pop_back();
		}
	}

private:
	static constexpr size_t MAX_SNAPSHOTS = 64;
	std::mutex mutex_;
	std::list<Entry> entries_;
};

} // namespace

std::shared_ptr<const Snapshot> Snapshot::LoadCached(Connection &connection, const fs::path &table_root,
                                                     const VersionSpec &spec) {
	return WithTypedErrors(table_root, [&]() -> std::shared_ptr<const Snapshot> {
		static SnapshotCache cache;
		auto table = table_root.lexically_normal().string();
		auto log_dir = table_root / "_delta_log";
		if (!spec.version && !spec.timestamp_ms) {
			// The latest version of a table loaded before: look only for the commits after it (a stat each) instead of
			// listing a log that may hold thousands of files. Its own newest commit must still be the same file.
			if (auto known = cache.Latest(table)) {
				auto current = StatCommit(log_dir, known->snapshot->Version());
				if (current && CommitIdentity(*current) == known->newest_commit) {
					std::vector<CommitFile> newer;
					while (auto next = StatCommit(log_dir, known->snapshot->Version() + int64_t(newer.size()) + 1)) {
						newer.push_back(*next);
					}
					if (newer.empty()) {
						return known->snapshot;
					}
					LogSegment segment;
					segment.log_dir = log_dir;
					segment.version = newer.back().path.version;
					segment.commits = newer;
					auto snapshot = Advance(*known->snapshot, segment, newer);
					auto key = table + "\n" + std::to_string(segment.version) + "\n" + CommitIdentity(newer.back());
					cache.Add({key, table, CommitIdentity(newer.back()), snapshot});
					return snapshot;
				}
			}
		}
		auto segment = LogSegment::Build(table_root, spec);
		// A version's files never change, but a table can be deleted and made anew at the same version number:
		// the newest log file's name and write time tell the two apart.
		std::string key = table_root.lexically_normal().string() + "\n" + std::to_string(segment.version) + "\n";
		if (!segment.commits.empty()) {
			key += segment.commits.back().path.filename + "@" +
			       std::to_string(segment.commits.back().modification_time_ms);
		} else if (!segment.checkpoint_parts.empty()) {
			std::error_code error;
			auto written = fs::last_write_time(segment.log_dir / segment.checkpoint_parts.front().filename, error);
			key += segment.checkpoint_parts.front().filename + "@" + std::to_string(written.time_since_epoch().count());
		}
		if (auto cached = cache.Find(key)) {
			return cached;
		}
		std::shared_ptr<const Snapshot> snapshot;
		if (auto base = cache.FindBase(table, segment)) {
			// The table moved on by a few commits (an append): apply those to the snapshot already loaded instead
			// of replaying the log from the checkpoint.
			std::vector<CommitFile> newer;
			for (const auto &commit : segment.commits) {
				if (commit.path.version > base->Version()) {
					newer.push_back(commit);
				}
			}
			snapshot = Advance(*base, segment, newer);
		} else {
			snapshot = Replay(connection, table_root, segment, true);
		}
		cache.Add({key, table, segment.commits.empty() ? "" : CommitIdentity(segment.commits.back()), snapshot});
		return snapshot;
	});
}

std::shared_ptr<const Snapshot> Snapshot::Advance(const Snapshot &base, const LogSegment &segment,
                                                  const std::vector<CommitFile> &commits) {
	auto snapshot = std::make_shared<Snapshot>(base); // shares the base's file chunks
	snapshot->version_ = segment.version;
	// Forward, oldest first: the last action on a file key decides (an add it, live; a remove, gone).
	std::unordered_map<std::string, std::optional<Add>> changed;
	std::unordered_set<std::string> changed_paths;
	std::vector<std::string> order; // keys as first seen, so the added files keep the log's order
	std::vector<Remove> tombstones;
	bool metadata_changed = false;
	auto change = [&](const std::string &path, std::string key, std::optional<Add> add) {
		changed_paths.insert(path);
		auto [it, inserted] = changed.try_emplace(key);
		if (inserted) {
			order.push_back(std::move(key));
		}
		it->second = std::move(add);
	};
	for (const auto &commit : commits) {
		for (const auto &line : ReadJsonActions(segment.log_dir / commit.path.filename)) {
			if (auto add = line.find(field::ADD); add != line.end()) {
				auto parsed = ParseAdd(*add);
				auto path = parsed.path;
				auto key = FileKey(parsed.path, parsed.deletion_vector);
				change(path, std::move(key), std::move(parsed));
			} else if (auto remove = line.find(field::REMOVE); remove != line.end()) {
				auto parsed = ParseRemove(*remove);
				change(parsed.path, FileKey(parsed.path, parsed.deletion_vector), std::nullopt);
				tombstones.push_back(std::move(parsed));
			} else if (auto protocol = line.find(field::PROTOCOL); protocol != line.end()) {
				snapshot->protocol_ = ParseProtocol(*protocol);
				CheckReadSupported(snapshot->protocol_);
			} else if (auto metadata = line.find(field::METADATA); metadata != line.end()) {
				snapshot->metadata_ = ParseMetadata(*metadata);
				snapshot->missing_metadata_.clear();
				metadata_changed = true;
			} else if (auto txn = line.find(field::TXN); txn != line.end()) {
				auto parsed = ParseSetTransaction(*txn);
				snapshot->transactions_[parsed.app_id] = parsed;
			} else if (auto domain = line.find(field::DOMAIN_METADATA); domain != line.end()) {
				auto parsed = ParseDomainMetadata(*domain);
				if (parsed.removed) {
					snapshot->domains_.erase(parsed.domain);
				} else {
					snapshot->domains_[parsed.domain] = parsed;
				}
			}
		}
	}
	// A key the new commits name: its base entry leaves (removed, or replaced by the add appended below); only
	// paths they name are looked up, so unchanged files cost one hash of their path.
	auto named = [&](const std::string &path, const std::optional<DeletionVectorDescriptor> &dv) {
		return changed_paths.count(path) && changed.count(FileKey(path, dv));
	};
	if (!changed.empty()) {
		snapshot->files_.EraseIf([&](const Add &add) { return named(add.path, add.deletion_vector); });
	}
	// Tombstones of files live again are not tombstones any more.
	auto live_again = [&](const Remove &remove) {
		return named(remove.path, remove.deletion_vector) &&
		       changed.at(FileKey(remove.path, remove.deletion_vector)).has_value();
	};
	snapshot->tombstones_.EraseIf(live_again);
	std::erase_if(tombstones, live_again);
	std::vector<Add> added;
	for (const auto &key : order) {
		if (auto &add = changed.at(key)) {
			added.push_back(std::move(*add));
		}
	}
	snapshot->files_.Append(std::move(added));
	snapshot->tombstones_.Append(std::move(tombstones));
	if (metadata_changed) {
		if (snapshot->metadata_.format_provider != "parquet") {
			throw UnsupportedError("unsupported data file format " + snapshot->metadata_.format_provider);
		}
		snapshot->schema_ = Schema::Parse(snapshot->metadata_.schema_string);
	}
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
		ReadCheckpoint(connection, segment,
		               {[&](Add &&add) { replay.ApplyCheckpointAdd(std::move(add)); },
		                [&](Remove &&remove) { replay.ApplyCheckpointRemove(std::move(remove)); },
		                [&](const json &action) { replay.ApplyCheckpointAction(action); }});
	}
	replay.Finish();
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
