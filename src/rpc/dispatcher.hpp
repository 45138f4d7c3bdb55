#pragma once

#include "worker/delta_worker.hpp"
#include "worker/duck_worker.hpp"

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace deltaduck::rpc {

//! Hands requests to the workers of a role ("duck" or "delta"), wherever they run: in this process, behind
//! HTTP or behind RabbitMQ.
class Dispatcher {
public:
	virtual ~Dispatcher() = default;
	//! Runs one request to its end, passing each of its messages (progress, reply, held) to `send`, and
	//! returns the id of the worker that ran it. `run_id` is unique in this gateway; Cancel and Progress name
	//! the request by it. A request naming a worker (`request_args.node`) that does not exist fails at once
	//! with a NotFoundError.
	virtual std::string Call(const std::string &role, const nlohmann::json &request, const std::string &run_id,
	                         const worker::Send &send) = 0;
	//! Cancels the request running under `run_id`; false if none does.
	virtual bool Cancel(const std::string &role, const std::string &run_id) = 0;
	//! DuckDB's progress (0-100, -1 unknown) of a running request.
	virtual std::optional<double> Progress(const std::string &role, const std::string &run_id) = 0;
	//! The workers and their state: [{"id", "role", "transport", "status", ...}].
	virtual nlohmann::json Workers() = 0;
};

//! One worker role served by a process, as the transports call it (the duck or the delta worker).
struct RoleHandler {
	std::string role;
	std::string worker_id;
	//! Runs one request to its end; see DuckWorker::Handle.
	std::function<void(const nlohmann::json &request, const worker::Send &send, const std::string &run_id)> handle;
	std::function<bool(const std::string &run_id)> cancel;
	std::function<std::optional<double>(const std::string &run_id)> progress;

	static RoleHandler Duck(worker::DuckWorker &duck);
	static RoleHandler Delta(worker::DeltaWorker &delta, std::string worker_id);
};

//! The node a request targets: `request_args.node`, or the node every `-- node:` of a pipeline names; empty
//! when it names none. InvalidInputError when a pipeline names several (each worker runs whole pipelines).
std::string TargetNode(const nlohmann::json &request);

//! The embedded default: one duck and one delta worker inside this process.
std::unique_ptr<Dispatcher> OpenInprocDispatcher(std::unique_ptr<worker::DuckWorker> duck,
                                                 std::unique_ptr<worker::DeltaWorker> delta);

} // namespace deltaduck::rpc
