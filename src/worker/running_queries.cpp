#include "worker/running_queries.hpp"

#include "common/error.hpp"

#include <algorithm>

namespace deltaduck::worker {

namespace {

//! How often the watchdog repeats the interrupt of a request that must stop.
constexpr auto REPEAT_INTERRUPT = std::chrono::milliseconds(20);

} // namespace

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
			if (!entry.cancelled && !entry.timed_out && entry.deadline <= now) {
				entry.timed_out = true;
			}
			if (entry.cancelled || entry.timed_out) {
				for (auto *connection : entry.connections) {
					connection->Interrupt();
				}
				next = std::min(next, now + REPEAT_INTERRUPT);
			} else {
				next = std::min(next, entry.deadline);
			}
		}
		wake_.wait_until(lock, next);
	}
}

std::string RunningQueries::LimitText() const {
	auto ms = time_limit_.count();
	return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

RunningQueries::Registration::Registration(RunningQueries &owner, std::string request_id) : owner_(owner) {
	{
		std::lock_guard<std::mutex> lock(owner_.mutex_);
		key_ = owner_.next_key_++;
		auto deadline = owner_.time_limit_.count() > 0 ? std::chrono::steady_clock::now() + owner_.time_limit_
		                                               : std::chrono::steady_clock::time_point::max();
		owner_.entries_[key_] = {std::move(request_id), {}, deadline};
	}
	owner_.wake_.notify_all();
}

RunningQueries::Registration::~Registration() {
	std::lock_guard<std::mutex> lock(owner_.mutex_);
	owner_.entries_.erase(key_);
}

RunningQueries::Registration::Attachment::Attachment(const Registration &registration, Connection &connection)
    : registration_(registration), connection_(connection) {
	std::lock_guard<std::mutex> lock(registration_.owner_.mutex_);
	registration_.owner_.entries_.at(registration_.key_).connections.push_back(&connection_);
}

RunningQueries::Registration::Attachment::~Attachment() {
	std::lock_guard<std::mutex> lock(registration_.owner_.mutex_);
	auto &connections = registration_.owner_.entries_.at(registration_.key_).connections;
	connections.erase(std::find(connections.begin(), connections.end(), &connection_));
}

void RunningQueries::Registration::Check() const {
	std::lock_guard<std::mutex> lock(owner_.mutex_);
	const auto &entry = owner_.entries_.at(key_);
	if (entry.cancelled) {
		throw InterruptedError("query cancelled");
	}
	if (entry.timed_out || std::chrono::steady_clock::now() >= entry.deadline) {
		throw TimeoutError("query exceeded the time limit of " + owner_.LimitText());
	}
}

void RunningQueries::Registration::Rethrow(std::exception_ptr error) const {
	try {
		std::rethrow_exception(error);
	} catch (const InterruptedError &) {
		Check();
		throw;
	}
}

std::chrono::steady_clock::time_point RunningQueries::Registration::Deadline() const {
	std::lock_guard<std::mutex> lock(owner_.mutex_);
	return owner_.entries_.at(key_).deadline;
}

bool RunningQueries::Cancel(const std::string &request_id) {
	bool found = false;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		for (auto &[key, entry] : entries_) {
			if (entry.request_id == request_id) {
				entry.cancelled = true;
				found = true;
			}
		}
	}
	wake_.notify_all();
	return found;
}

std::optional<double> RunningQueries::Progress(const std::string &request_id) const {
	std::lock_guard<std::mutex> lock(mutex_);
	std::optional<double> progress;
	for (const auto &[key, entry] : entries_) {
		if (entry.request_id != request_id) {
			continue;
		}
		progress = progress.value_or(-1);
		for (auto *connection : entry.connections) {
			progress = std::max(*progress, connection->Progress().percentage);
		}
	}
	return progress;
}

} // namespace deltaduck::worker
