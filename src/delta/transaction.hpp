#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck {
class Connection;
}

namespace deltaduck::delta {

class Snapshot;

//! The latest snapshot of the table, or null when there is no table yet (no log, or a log without commits).
std::shared_ptr<const Snapshot> LoadLatestIfExists(Connection &connection, const std::filesystem::path &table_root);

//! What a commit wrote: its version (-1 when there was nothing to commit) and how many lost races came first.
struct CommitResult {
	int64_t version = -1;
	int retries = 0;
};

//! One commit's content, made for the version it reads.
struct CommitPlan {
	//! commitInfo fields of the operation (operationParameters, operationMetrics, isBlindAppend); the transaction
	//! adds timestamp, operation, readVersion and engineInfo.
	nlohmann::json info = nlohmann::json::object();
	//! The actions after commitInfo, in order.
	std::vector<nlohmann::json> actions;
};

//! Makes the plan for the snapshot read (null: a new table) at commit time `now_ms`; `attempt` counts from 0,
//! and a later attempt reads a snapshot another writer moved on. Returns nullopt when nothing is left to commit;
//! throws ConflictError when the change no longer fits the table.
using PlanCommit =
    std::function<std::optional<CommitPlan>(const std::shared_ptr<const Snapshot> &read, int64_t now_ms, int attempt)>;

//! A write to a table's log: reads a version, commits the next one (commitInfo first) and, when another writer
//! took that version, reads again and asks for a new plan, up to `max_attempts` times. A durable commit is
//! followed by the checkpoint due at its version, whose failure is only a warning (a retry of a write reported
//! failed would duplicate it).
class Transaction {
public:
	Transaction(Connection &connection, std::filesystem::path table_root, std::string operation, int max_attempts)
	    : connection_(connection), table_root_(std::move(table_root)), operation_(std::move(operation)),
	      max_attempts_(max_attempts) {
	}

	//! Commits on top of `read` (the snapshot the caller planned with; null for a new table).
	CommitResult Commit(std::shared_ptr<const Snapshot> read, const PlanCommit &plan);

private:
	Connection &connection_;
	std::filesystem::path table_root_;
	std::string operation_;
	int max_attempts_;
};

} // namespace deltaduck::delta
