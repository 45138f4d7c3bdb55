#pragma once

#include "rpc/dispatcher.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace deltaduck::rpc {

//! How a worker serves its role over RabbitMQ.
struct AmqpWorkerOptions {
	std::string url;
	std::chrono::seconds heartbeat{30};
	//! Longest a request may run: the worker's own time limit (it interrupts the request then).
	std::chrono::milliseconds time_limit = std::chrono::minutes(5);
	//! How long a cancelled or timed-out request may ignore the interruption before the worker gives up on it:
	//! it answers the request with an error and exits, for its supervisor to start it again.
	std::chrono::milliseconds grace = std::chrono::seconds(30);
	//! Requests from the role's shared queue a worker takes at once (the original: 1).
	uint16_t prefetch = 1;
	//! Wait before reconnecting after the broker went away; doubles up to max_backoff.
	std::chrono::milliseconds backoff = std::chrono::milliseconds(100);
	std::chrono::milliseconds max_backoff = std::chrono::seconds(5);
};

//! Exit status of a worker that gave up on a request ignoring interruption: its supervisor restarts it.
constexpr int EXIT_RESTART = 75;

//! A worker process's RabbitMQ side: consumes `<role>_rpc` (prefetch `prefetch`) and its own queue
//! `<role><id>_rpc` (node-targeted requests and cancels), runs each request on a thread of its own while the
//! connection's thread keeps heartbeats and replies flowing, acknowledges a request after its last reply,
//! and reconnects with back-off when the broker goes away.
class AmqpWorker {
public:
	AmqpWorker(AmqpWorkerOptions options, RoleHandler handler);
	~AmqpWorker();
	//! Serves until `stop` becomes true (then waits for running requests to end). Calls `on_ready` each time
	//! it consumes from a new connection.
	void Run(const std::atomic<bool> &stop, const std::function<void()> &on_ready = nullptr);
	//! Requests running now.
	size_t InFlight() const;

	struct Impl;

private:
	std::unique_ptr<Impl> impl_;
};

} // namespace deltaduck::rpc
