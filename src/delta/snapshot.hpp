#pragma once

#include "delta/actions.hpp"
#include "delta/log_segment.hpp"
#include "delta/schema.hpp"
#include "delta/shared_list.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

//! The state of a table at one version, from log replay. Immutable once loaded.
class Snapshot {
public:
	//! Replays the log of the table at `table_root` up to `spec`. Checkpoints are read with DuckDB's
	//! parquet reader on `connection`. Throws NotFoundError (no table / no such version), CorruptError (a
	//! broken log, no protocol) or UnsupportedError (naming the reader features this reader lacks). A log
	//! without metaData loads (its file list is known) but GetMetadata/GetSchema throw.
	static std::shared_ptr<const Snapshot> Load(Connection &connection, const std::filesystem::path &table_root,
	                                            const VersionSpec &spec = {});
	//! Load without refusing reader features this reader lacks: for describing a table (protocol, metadata, files),
	//! never for reading its data. A schema with types it cannot map stays unparsed (GetSchema is empty).
	static std::shared_ptr<const Snapshot>
	LoadMetadataOnly(Connection &connection, const std::filesystem::path &table_root, const VersionSpec &spec = {});
	//! Load, reusing a snapshot this process loaded before for the same log segment: the dashboard reads the
	//! same tables on every query, and an unchanged table then costs a listing of its log.
	static std::shared_ptr<const Snapshot> LoadCached(Connection &connection, const std::filesystem::path &table_root,
	                                                  const VersionSpec &spec = {});

	const std::filesystem::path &TableRoot() const {
		return table_root_;
	}
	int64_t Version() const {
		return version_;
	}
	const Protocol &GetProtocol() const {
		return protocol_;
	}
	//! The table's metadata; throws CorruptError when the log has none (the file list still loads).
	const Metadata &GetMetadata() const;
	//! The table's schema; throws CorruptError when the log has no metadata.
	const Schema &GetSchema() const;
	//! The live data files (in no particular order).
	const SharedList<Add> &Files() const {
		return files_;
	}
	//! Files removed and not added again (newest removal of each), however old: vacuum keeps those removed
	//! within its retention, and checkpoints carry those within the table's tombstone retention.
	const SharedList<Remove> &Tombstones() const {
		return tombstones_;
	}
	//! Latest transaction version per application id.
	const std::map<std::string, SetTransaction> &Transactions() const {
		return transactions_;
	}
	//! Domain metadata that is not removed, by domain.
	const std::map<std::string, DomainMetadata> &Domains() const {
		return domains_;
	}
	//! Whether data files name columns by physical name (column mapping mode name or id).
	bool UsesColumnMapping() const;
	//! The absolute location of a data file (paths in the log are relative to the table root or absolute URIs).
	std::filesystem::path ResolvePath(const std::string &path) const;

private:
	friend class LogReplay;
	static std::shared_ptr<const Snapshot> Replay(Connection &connection, const std::filesystem::path &table_root,
	                                              const LogSegment &segment, bool check_features);
	//! `base` moved on to `segment`'s version by applying `commits` (those after base, ascending).
	static std::shared_ptr<const Snapshot> Advance(const Snapshot &base, const LogSegment &segment,
	                                               const std::vector<CommitFile> &commits);
	std::filesystem::path table_root_;
	int64_t version_ = -1;
	Protocol protocol_;
	Metadata metadata_;
	Schema schema_;
	SharedList<Add> files_;
	SharedList<Remove> tombstones_;
	std::map<std::string, SetTransaction> transactions_;
	std::map<std::string, DomainMetadata> domains_;
	//! Why metadata is unavailable (empty when the log has it).
	std::string missing_metadata_;
};

} // namespace deltaduck::delta
