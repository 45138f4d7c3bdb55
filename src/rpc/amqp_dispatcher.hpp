#pragma once

#include "rpc/dispatcher.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace deltaduck::rpc {

//! How the gateway reaches its workers through RabbitMQ.
struct AmqpDispatcherOptions {
	std::string url;
	std::chrono::seconds heartbeat{30};
	//! Longest a request may take from publishing to its last reply (the workers' time limit plus their grace
	//! period, plus time waiting in the queue); past it the call fails with a Timeout error and the request is
	//! cancelled. Requests waiting in a queue expire at the same time.
	std::chrono::milliseconds request_timeout = std::chrono::minutes(6);
	//! How long a call waits for a lost broker connection to come back before it fails.
	std::chrono::milliseconds connect_wait = std::chrono::seconds(15);
};

//! The gateway's RabbitMQ client: one connection (its own thread, reconnecting with back-off), one exclusive
//! reply queue, requests matched to replies by correlation id. A request for a role nobody consumes, or for a
//! node (`request_args.node`, or the one `-- node:` of a pipeline) whose queue does not exist, fails at once.
//! `workers` lists the registered workers (from the catalog), or is empty to list the queues' consumers.
std::unique_ptr<Dispatcher> OpenAmqpDispatcher(AmqpDispatcherOptions options,
                                               std::function<nlohmann::json()> workers = nullptr);

} // namespace deltaduck::rpc
