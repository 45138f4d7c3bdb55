#pragma once

#include "rpc/dispatcher.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace deltaduck::rpc {

//! How a worker serves its role over HTTP (the original's "api" workers).
struct HttpWorkerOptions {
	std::string host = "127.0.0.1";
	//! 0 picks a free port.
	uint16_t port = 0;
	//! Required (as `Authorization: Bearer`) when listening anywhere but loopback.
	std::string token;
	//! The worker's own time limit, and how long past it (or past a cancel) a request may ignore
	//! interruption before the worker exits for its supervisor to restart it.
	std::chrono::milliseconds time_limit = std::chrono::minutes(5);
	std::chrono::milliseconds grace = std::chrono::seconds(30);
};

//! The HTTP side of a worker process. `POST /call` (header `X-Run-Id`, body: the request) answers with the
//! request's messages as they come, one JSON object per line (chunked), and ends when the request does; a
//! client that goes away cancels it. `POST /cancel?run_id=`, `GET /progress?run_id=`, `GET /healthz`
//! ({id, role, in_flight}).
class HttpWorker {
public:
	HttpWorker(HttpWorkerOptions options, RoleHandler handler);
	~HttpWorker();
	//! Binds; returns the port.
	uint16_t Listen();
	//! Serves until `stop` becomes true, then lets running requests finish.
	void Run(const std::atomic<bool> &stop);
	size_t InFlight() const;

	struct Impl;

private:
	std::unique_ptr<Impl> impl_;
};

} // namespace deltaduck::rpc
