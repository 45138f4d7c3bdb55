#pragma once

#include "engine/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace deltaduck::worker {

//! The requests running on a worker, so that one can be cancelled by its id and none outlives the time
//! limit: a watchdog thread interrupts queries past their deadline.
class RunningQueries {
public:
	explicit RunningQueries(std::chrono::milliseconds time_limit);
	~RunningQueries();
	RunningQueries(const RunningQueries &) = delete;
	RunningQueries &operator=(const RunningQueries &) = delete;

	//! While alive, a request's connection is registered under its id (several connections for a pipeline).
	class Registration {
	public:
		Registration(RunningQueries &owner, std::string request_id, Connection &connection);
		~Registration();
		Registration(const Registration &) = delete;
		Registration &operator=(const Registration &) = delete;
		//! Throws InterruptedError if the request was cancelled, TimeoutError if its time ran out.
		void Check() const;
		//! Turns an InterruptedError from DuckDB into the reason: cancelled, or out of time.
		[[noreturn]] void Rethrow(const std::exception &error) const;

	private:
		RunningQueries &owner_;
		uint64_t key_;
	};

	//! Interrupts every connection of the request; false if no such request runs.
	bool Cancel(const std::string &request_id);
	//! The per-request time limit.
	std::chrono::milliseconds TimeLimit() const {
		return time_limit_;
	}

private:
	struct Entry {
		std::string request_id;
		Connection *connection;
		std::chrono::steady_clock::time_point deadline;
		bool cancelled = false;
		bool timed_out = false;
	};
	void Watch();

	std::chrono::milliseconds time_limit_;
	mutable std::mutex mutex_;
	std::condition_variable wake_;
	std::map<uint64_t, Entry> entries_;
	uint64_t next_key_ = 0;
	bool stopping_ = false;
	std::thread watchdog_;
};

} // namespace deltaduck::worker
