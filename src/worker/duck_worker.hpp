#pragma once

#include "catalog/catalog.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/reply.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace deltaduck::worker {

class HeldResults;

//! Receives the messages of one request as they are ready: progress first, then the reply, then (for a held
//! result still being stored) a last `{"request_id", "held": {...}}`.
using Send = std::function<void(std::string message)>;

//! How a duck worker runs.
struct DuckWorkerOptions {
	//! The data directory this process is rooted at (see RootAtDataDirectory).
	std::filesystem::path data_dir;
	//! Names this worker in lineage (`Loc`) and pipelines (`-- node:`); DefaultWorkerId() when empty.
	std::string worker_id;
	//! Longest a request may run before it is interrupted.
	std::chrono::milliseconds query_timeout = std::chrono::minutes(5);
	//! DuckDB threads and memory limit; 0 keeps the machine-sized defaults.
	uint32_t threads = 0;
	uint64_t memory_limit_bytes = 0;
	//! Connections in the pool: how many requests run at once.
	size_t connections = 8;
	//! Where `keep` requests hold their results (none: `keep` is refused).
	std::shared_ptr<HeldResults> held_results;
	//! PostgreSQL attached as `postgres` (shared tables of a cluster); none on a laptop.
	std::optional<PostgresAttach> postgres;
};

//! `host:pid`, the default worker id (unique per process: each holds its own in-memory tables).
std::string DefaultWorkerId();

//! The duck worker: answers the dashboard's `querydata`, `checktable`, `duckconnect` and `cancel`
//! requests, independent of how they arrive. Thread-safe: requests may be handled concurrently.
class DuckWorker {
public:
	//! Opens the in-memory database (sandboxed to the data directory) and its connection pool.
	static std::unique_ptr<DuckWorker> Open(DuckWorkerOptions options, std::shared_ptr<catalog::Catalog> catalog);
	~DuckWorker();

	//! Answers one request `{"request_endpoint", "request_args", "request_id"?}` with the reply's JSON text:
	//! `{"respond_to", "request_id", "response_contents", "data"}`, or on failure `{"respond_to",
	//! "request_id", "error": {"type", "message", "detail"}, "data": {"message"}}` with the real cause.
	std::string Handle(const nlohmann::json &request);
	//! Answers one request through `send`; returns once all its work is done. The request is registered under
	//! `run_id` (unique per worker; empty: its request_id) for Cancel and Progress.
	void Handle(const nlohmann::json &request, const Send &send, const std::string &run_id);
	//! Cancels the request registered under `run_id`; false if none runs.
	bool Cancel(const std::string &run_id);
	//! DuckDB's progress (0-100, -1 unknown) of a running request.
	std::optional<double> Progress(const std::string &run_id) const;

	//! This worker's id.
	const std::string &WorkerId() const;

private:
	struct Impl;
	explicit DuckWorker(std::unique_ptr<Impl> impl);
	std::unique_ptr<Impl> impl_;
};

} // namespace deltaduck::worker
