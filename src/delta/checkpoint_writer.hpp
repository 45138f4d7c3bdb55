#pragma once

#include "delta/snapshot.hpp"

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

//! The checkpoint interval a table asks for (`delta.checkpointInterval`, default 100).
int64_t CheckpointInterval(const Snapshot &snapshot);

//! Writes `<version>.checkpoint.parquet` for the snapshot (protocol, metaData, txn and the live adds, in the
//! protocol's checkpoint schema, written by DuckDB) under a temporary name and renames it into place, then
//! replaces `_last_checkpoint` atomically. A reader never sees a partial checkpoint.
void WriteCheckpoint(Connection &connection, const Snapshot &snapshot);

//! Writes the checkpoint of `version` when it is a multiple of the table's interval. The commit is already
//! durable: a failed checkpoint only costs readers time, so it is reported on stderr, not thrown.
void CheckpointIfDue(Connection &connection, const std::filesystem::path &table_root, int64_t version);

} // namespace deltaduck::delta
