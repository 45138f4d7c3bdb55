#include "delta/checkpoint_writer.hpp"

#include "common/error.hpp"
#include "common/fault_injection.hpp"
#include "common/sql_quote.hpp"
#include "delta/commit.hpp"
#include "delta/data_files.hpp"
#include "delta/log_path.hpp"
#include "delta/typed_errors.hpp"
#include "engine/connection.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! The checkpoint columns, as the protocol defines them, in DuckDB's types.
constexpr const char *DELETION_VECTOR_TYPE =
    "STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, sizeInBytes INTEGER, cardinality BIGINT)";
std::string CheckpointColumns() {
	return std::string("{'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures ") +
	       "VARCHAR[], writerFeatures VARCHAR[])', "
	       "'metaData': 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, "
	       "options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration "
	       "MAP(VARCHAR, VARCHAR), createdTime BIGINT)', "
	       "'txn': 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', "
	       "'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, "
	       "dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), deletionVector " +
	       DELETION_VECTOR_TYPE + ", baseRowId BIGINT, defaultRowCommitVersion BIGINT)', " +
	       "'remove': 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata "
	       "BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, deletionVector " +
	       DELETION_VECTOR_TYPE + ")', " +
	       "'domainMetadata': 'STRUCT(domain VARCHAR, configuration VARCHAR, removed BOOLEAN)'}";
}

//! Removes a checkpoint's temporary files on every way out, failures included.
class TemporaryFiles {
public:
	explicit TemporaryFiles(std::vector<fs::path> files) : files_(std::move(files)) {
	}
	~TemporaryFiles() {
		for (const auto &file : files_) {
			std::error_code ignored;
			fs::remove(file, ignored);
		}
	}
	TemporaryFiles(const TemporaryFiles &) = delete;
	TemporaryFiles &operator=(const TemporaryFiles &) = delete;

private:
	std::vector<fs::path> files_;
};

//! Milliseconds tombstones are kept: delta.deletedFileRetentionDuration ("interval 7 days"), 1 week by default.
int64_t TombstoneRetentionMs(Connection &connection, const Metadata &metadata) {
	auto it = metadata.configuration.find("delta.deletedFileRetentionDuration");
	if (it == metadata.configuration.end()) {
		return int64_t(7) * 24 * 3600 * 1000;
	}
	auto text = it->second;
	if (text.rfind("interval ", 0) == 0) {
		text = text.substr(9);
	}
	try {
		auto rows = connection.QueryText("SELECT CAST(epoch_ms(TIMESTAMP '1970-01-01' + INTERVAL " +
		                                 QuoteLiteral(text) + ") AS BIGINT)");
		return std::stoll(rows.at(0).at(0));
	} catch (const std::exception &) {
		// A retention we cannot read keeps every tombstone: dropping one too early would let vacuum break time
		// travel.
		return std::numeric_limits<int64_t>::max() / 2;
	}
}

} // namespace

int64_t CheckpointInterval(const Snapshot &snapshot) {
	const auto &configuration = snapshot.GetMetadata().configuration;
	auto it = configuration.find("delta.checkpointInterval");
	if (it != configuration.end()) {
		try {
			auto interval = std::stoll(it->second);
			if (interval > 0) {
				return interval;
			}
		} catch (const std::exception &) {
		}
	}
	return 100;
}

void WriteCheckpoint(Connection &connection, const Snapshot &snapshot) {
	return WithTypedErrors(snapshot.TableRoot(), [&]() -> void {
		auto log_dir = snapshot.TableRoot() / "_delta_log";
		std::random_device random;
		auto tag = std::to_string(snapshot.Version()) + "_" + std::to_string(random());
		auto actions_file = log_dir / ("_checkpoint_" + tag + ".jsonl.tmp");
		auto parquet_file = log_dir / ("_checkpoint_" + tag + ".parquet.tmp");
		TemporaryFiles temporary({actions_file, parquet_file});
		auto now_ms =
		    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
		        .count();
		auto oldest_tombstone = now_ms - TombstoneRetentionMs(connection, snapshot.GetMetadata());
		size_t count = 0;
		{
			std::ofstream out(actions_file, std::ios::binary);
			auto write = [&](const json &action) {
				out << action.dump() << '\n';
				count++;
			};
			write(ProtocolToJson(snapshot.GetProtocol()));
			write(MetadataToJson(snapshot.GetMetadata()));
			for (const auto &[app, txn] : snapshot.Transactions()) {
				write(SetTransactionToJson(txn));
			}
			for (const auto &[name, domain] : snapshot.Domains()) {
				write(DomainMetadataToJson(domain));
			}
			for (auto add : snapshot.Files()) {
				add.data_change = false;
				write(AddToJson(add));
			}
			// Removes within the retention stay: vacuum must still see them, and readers of older versions need them.
			for (auto remove : snapshot.Tombstones()) {
				if (remove.deletion_timestamp.value_or(0) > oldest_tombstone) {
					remove.data_change = false;
					write(RemoveToJson(remove));
				}
			}
			if (!out.flush()) {
				throw IOError("cannot write " + actions_file.string());
			}
		}
		connection.Execute("COPY (SELECT protocol, metaData, txn, \"add\", \"remove\", domainMetadata FROM read_json(" +
		                   QuoteLiteral(actions_file.string()) +
		                   ", format = 'newline_delimited', columns = " + CheckpointColumns() + ")) TO " +
		                   QuoteLiteral(parquet_file.string()) + " (FORMAT parquet, COMPRESSION zstd)");
		FaultPoint("checkpoint_before_rename");
		auto target = log_dir / (CommitFileName(snapshot.Version()).substr(0, 20) + ".checkpoint.parquet");
		fs::rename(parquet_file, target);
		WriteFileAtomically(log_dir / "_last_checkpoint",
		                    json{{"version", snapshot.Version()}, {"size", count}}.dump() + "\n");
	});
}

void CheckpointIfDue(Connection &connection, const fs::path &table_root, int64_t version) {
	try {
		auto snapshot = Snapshot::Load(connection, table_root, {version, std::nullopt});
		if (version > 0 && version % CheckpointInterval(*snapshot) == 0) {
			WriteCheckpoint(connection, *snapshot);
		}
	} catch (const std::exception &e) {
		// The version is durable: reporting the write as failed would invite a retry that duplicates it.
		std::fprintf(stderr, "warning: version %lld committed, but its checkpoint failed: %s\n",
		             static_cast<long long>(version), e.what());
	}
}

} // namespace deltaduck::delta
