#pragma once

#include "delta/actions.hpp"
#include "delta/log_segment.hpp"

#include <filesystem>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

//! Receives one action object, e.g. {"add": {...}}.
using ActionCallback = std::function<void(const nlohmann::json &)>;

//! Every action line of a JSON log file (a commit or a V2 checkpoint); a line that is not a JSON object
//! is a CorruptError naming the file and line.
std::vector<nlohmann::json> ReadJsonActions(const std::filesystem::path &file);

//! Receives a checkpoint's actions. Its adds and removes (thousands) come parsed, read from their parquet columns
//! without a detour through JSON; the few others (protocol, metaData, txn, domainMetadata) as action objects.
struct CheckpointActions {
	std::function<void(Add &&)> add;
	std::function<void(Remove &&)> remove;
	ActionCallback other;
};

//! Reads the segment's checkpoint (classic, multi-part or V2 with sidecars) and passes each action on.
//! Parquet is read by DuckDB, projected to the fields used; an unreadable file is a CorruptError.
void ReadCheckpoint(Connection &connection, const LogSegment &segment, const CheckpointActions &actions);

} // namespace deltaduck::delta
