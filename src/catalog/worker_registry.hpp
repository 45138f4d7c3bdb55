#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace deltaduck::catalog {

//! A worker of a cluster as it registers.
struct WorkerInfo {
	std::string id;
	//! "duck" or "delta".
	std::string role;
	//! "amqp" or "http".
	std::string transport;
	//! Where it is reached: its URL (http) or its broker (amqp, without password).
	std::string address;
};

//! The workers of a cluster: each registers at start and sends heartbeats; one that stops beating is
//! forgotten (the original's `__worker_list` never forgot a worker).
class WorkerRegistry {
public:
	virtual ~WorkerRegistry() = default;
	virtual void Register(const WorkerInfo &worker) = 0;
	//! Records that the worker is alive and how many requests it runs.
	virtual void Heartbeat(const std::string &id, size_t in_flight) = 0;
	virtual void Unregister(const std::string &id) = 0;
	//! Workers heard from within `max_silence`: [{id, role, transport, address, host, started, last_heartbeat,
	//! in_flight, status}]; older ones are deleted.
	virtual nlohmann::json List(std::chrono::seconds max_silence) = 0;
};

} // namespace deltaduck::catalog
