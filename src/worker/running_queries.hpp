#pragma once

#include "engine/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace deltaduck::worker {

//! The requests running on a worker, so that one can be cancelled by its id and none outlives the time
//! limit. A watchdog thread interrupts the connections of a cancelled or late request, again and again until
//! the request ends: DuckDB forgets an interrupt when its connection starts its next query.
class RunningQueries {
public:
	//! A zero time limit means none.
	explicit RunningQueries(std::chrono::milliseconds time_limit);
	~RunningQueries();
	RunningQueries(const RunningQueries &) = delete;
	RunningQueries &operator=(const RunningQueries &) = delete;

	//! While alive, a request is registered under its id; its connections are attached while they work for it.
	class Registration {
	public:
		Registration(RunningQueries &owner, std::string request_id);
		~Registration();
		Registration(const Registration &) = delete;
		Registration &operator=(const Registration &) = delete;

		//! Attaches a connection to the request while alive (several at once for a pipeline).
		class Attachment {
		public:
			Attachment(const Registration &registration, Connection &connection);
			~Attachment();
			Attachment(const Attachment &) = delete;
			Attachment &operator=(const Attachment &) = delete;

		private:
			const Registration &registration_;
			Connection &connection_;
		};

		//! Throws InterruptedError if the request was cancelled, TimeoutError if its time ran out.
		void Check() const;
		//! Rethrows `error`, an InterruptedError from DuckDB turned into its reason: cancelled, or out of time.
		[[noreturn]] void Rethrow(std::exception_ptr error) const;
		//! How long the request may still wait (for a free connection, say).
		std::chrono::steady_clock::time_point Deadline() const;

	private:
		RunningQueries &owner_;
		uint64_t key_;
	};

	//! Interrupts every connection of the request; false if no such request runs.
	bool Cancel(const std::string &request_id);
	//! DuckDB's progress (0-100, -1 unknown) of the request's query; nothing if no such request runs.
	std::optional<double> Progress(const std::string &request_id) const;

private:
	struct Entry {
		std::string request_id;
		std::vector<Connection *> connections;
		std::chrono::steady_clock::time_point deadline;
		bool cancelled = false;
		bool timed_out = false;
	};
	void Watch();
	std::string LimitText() const;

	std::chrono::milliseconds time_limit_;
	mutable std::mutex mutex_;
	std::condition_variable wake_;
	std::map<uint64_t, Entry> entries_;
	uint64_t next_key_ = 0;
	bool stopping_ = false;
	std::thread watchdog_;
};

} // namespace deltaduck::worker
