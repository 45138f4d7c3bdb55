#include "delta/checkpoint_writer.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/commit.hpp"
#include "delta/data_files.hpp"
#include "delta/log_path.hpp"
#include "engine/connection.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

namespace deltaduck::delta {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! The checkpoint columns, as the protocol defines them, in DuckDB's types.
constexpr const char *CHECKPOINT_COLUMNS =
    "{'protocol': 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], "
    "writerFeatures VARCHAR[])', "
    "'metaData': 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options "
    "MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), "
    "createdTime BIGINT)', "
    "'txn': 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)', "
    "'add': 'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, "
    "dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR))'}";

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
	auto log_dir = snapshot.TableRoot() / "_delta_log";
	std::random_device random;
	auto tag = std::to_string(snapshot.Version()) + "_" + std::to_string(random());
	auto actions_file = log_dir / ("_checkpoint_" + tag + ".jsonl.tmp");
	auto parquet_file = log_dir / ("_checkpoint_" + tag + ".parquet.tmp");
	size_t count = 0;
	{
		std::ofstream out(actions_file, std::ios::binary);
		out << ProtocolToJson(snapshot.GetProtocol()).dump() << '\n';
		out << MetadataToJson(snapshot.GetMetadata()).dump() << '\n';
		count = 2;
		for (const auto &[app, txn] : snapshot.Transactions()) {
			out << SetTransactionToJson(txn).dump() << '\n';
			count++;
		}
		for (const auto &add : snapshot.Files()) {
			if (add.deletion_vector) {
				throw UnsupportedError("writing checkpoints of tables with deletion vectors is not supported");
			}
			json values = json::object();
			for (const auto &[key, value] : add.partition_values) {
				values[key] = value ? json(*value) : json(nullptr);
			}
			json body = {{"path", UriEncodePath(add.path)},
			             {"partitionValues", values},
			             {"size", add.size},
			             {"modificationTime", add.modification_time},
			             {"dataChange", false}};
			if (add.stats) {
				body["stats"] = *add.stats;
			}
			out << json{{"add", body}}.dump() << '\n';
			count++;
		}
		if (!out.flush()) {
			throw IOError("cannot write " + actions_file.string());
		}
	}
	try {
		connection.Execute("COPY (SELECT protocol, metaData, txn, \"add\" FROM read_json(" +
		                   QuoteLiteral(actions_file.string()) +
		                   ", format = 'newline_delimited', columns = " + CHECKPOINT_COLUMNS + ")) TO " +
		                   QuoteLiteral(parquet_file.string()) + " (FORMAT parquet, COMPRESSION zstd)");
	} catch (...) {
		fs::remove(actions_file);
		fs::remove(parquet_file);
		throw;
	}
	fs::remove(actions_file);
	auto target = log_dir / (CommitFileName(snapshot.Version()).substr(0, 20) + ".checkpoint.parquet");
	fs::rename(parquet_file, target);
	WriteFileAtomically(log_dir / "_last_checkpoint",
	                    json{{"version", snapshot.Version()}, {"size", count}}.dump() + "\n");
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
