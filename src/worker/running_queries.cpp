#include "worker/running_queries.hpp"

#include "common/error.hpp"

namespace deltaduck::worker {

RunningQueries::RunningQueries(std::chrono::milliseconds time_limit) : time_limit_(time_limit) {
	watchdog_ = std::thread([this] { Watch(); });
}

RunningQueries::~RunningQueries() {
	{
		std::lock_guard<std::mutex> lock(mutex_);
		stopping_ = true;
	}
	wake_.notify_all();
	watchdog_.join();
}

void RunningQueries::Watch() {
	std::unique_lock<std::mutex> lock(mutex_);
	while (!stopping_) {
		auto next = std::chrono::steady_clock::time_point::max();
		auto now = std::chrono::steady_clock::now();
		for (auto &[key, entry] : entries_) {
			if (entry.timed_out) {
				continue;
			}
			if (entry.deadline <= now) {
				entry.timed_out = true;
				entry.connection->Interrupt();
			} else {
				next = std::min(next, entry.deadline);
			}
		}
		wake_.wait_until(lock, next);
	}
}

RunningQueries::Registration::Registration(RunningQueries &owner, std::string request_id, Connection &connection)
    : owner_(owner) {
	{
		std::lock_guard<std::mutex> lock(owner_.mutex_);
		key_ = owner_.next_key_++;
		owner_.entries_[key_] = {std::move(request_id), &connection,
		                         std::chrono::steady_clock::now() + owner_.time_limit_};
	}
	owner_.wake_.notify_all();
}

RunningQueries::Registration::~Registration() {
	std::lock_guard<std::mutex> lock(owner_.mutex_);
	owner_.entries_.erase(key_);
}

void RunningQueries::Registration::Check() const {
	std::lock_guard<std::mutex> lock(owner_.mutex_);
	const auto &entry = owner_.entries_.at(key_);
	if (entry.cancelled) {
		throw InterruptedError("query cancelled: request " + entry.request_id);
	}
	if (entry.timed_out) {
		throw TimeoutError("query exceeded the time limit of " +
		                   std::to_string(owner_.time_limit_.count() / 1000.0).substr(0, 6) + " s");
	}
}

void RunningQueries::Registration::Rethrow(const std::exception &error) const {
	if (dynamic_cast<const InterruptedError *>(&error)) {
		Check();
	}
	throw;
}

bool RunningQueries::Cancel(const std::string &request_id) {
	std::lock_guard<std::mutex> lock(mutex_);
	bool found = false;
	for (auto &[key, entry] : entries_) {
		if (entry.request_id == request_id) {
			entry.cancelled = true;
			entry.connection->Interrupt();
			found = true;
		}
	}
	return found;
}

} // namespace deltaduck::worker
