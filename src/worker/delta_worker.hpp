#pragma once

#include "worker/data_sandbox.hpp"
#include "worker/reply.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace deltaduck::worker {

using Send = std::function<void(std::string message)>;

//! How a delta worker runs.
struct DeltaWorkerOptions {
	//! The data directory this process is rooted at (see RootAtDataDirectory).
	std::filesystem::path data_dir;
	//! Longest an ingest may run (0: no limit).
	std::chrono::milliseconds time_limit{0};
	//! Fewest milliseconds between two progress messages of one ingest.
	std::chrono::milliseconds progress_interval{200};
	//! PostgreSQL attached as `postgres` (shared tables of a cluster); none on a laptop.
	std::optional<PostgresAttach> postgres;
};

//! The delta worker: answers the dashboard's `ingestdata` (load a CSV folder, a file or a query into a Delta
//! table) and `cancel`, independent of how requests arrive. Thread-safe.
class DeltaWorker {
public:
	static std::unique_ptr<DeltaWorker> Open(DeltaWorkerOptions options);
	~DeltaWorker();

	//! Answers one request through `send`: `{"request_id", "progress": {"done", "total", "unit"}}` messages
	//! while rows stream, then the reply `{"respond_to": "delta", "data": {"message": "DeltaLake stored as
	//! <name>", "ingest": {...}}}` or an error reply. Registered under `run_id` (empty: its request_id).
	void Handle(const nlohmann::json &request, const Send &send, const std::string &run_id);
	//! Cancels the ingest registered under `run_id`; false if none runs.
	bool Cancel(const std::string &run_id);
	std::optional<double> Progress(const std::string &run_id) const;

private:
	struct Impl;
	explicit DeltaWorker(std::unique_ptr<Impl> impl);
	std::unique_ptr<Impl> impl_;
};

} // namespace deltaduck::worker
