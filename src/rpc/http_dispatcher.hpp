#pragma once

#include "rpc/dispatcher.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace deltaduck::rpc {

//! How the gateway reaches HTTP workers.
struct HttpDispatcherOptions {
	//! Worker base URLs by role: {"duck": ["http://127.0.0.1:8101", ...], "delta": [...]}.
	std::map<std::string, std::vector<std::string>> workers;
	//! Sent as `Authorization: Bearer` when set.
	std::string token;
	//! Longest a request may take before the call fails with a Timeout error (and is cancelled).
	std::chrono::milliseconds request_timeout = std::chrono::minutes(6);
	//! How often each worker's /healthz is asked.
	std::chrono::milliseconds health_interval = std::chrono::seconds(1);
};

//! The gateway's HTTP client for the original's "api" workers: each request goes to the healthy worker of its
//! role with the fewest requests in flight (or to the worker a pipeline's `-- node:` names), over kept-alive
//! connections; workers that fail their health check are skipped until they answer again.
std::unique_ptr<Dispatcher> OpenHttpDispatcher(HttpDispatcherOptions options);

//! Parses `http://host:port` (no path); InvalidInputError otherwise.
std::pair<std::string, uint16_t> ParseWorkerUrl(const std::string &url);

} // namespace deltaduck::rpc
