#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace deltaduck::gateway {

//! The gateway's counters, exposed at /metrics in Prometheus' text format.
class Metrics {
public:
	//! One finished request: its endpoint (e.g. `duck.querydata`, `GET /api/tables`), outcome (ok, error, busy,
	//! cancelled) and duration.
	void Record(const std::string &endpoint, const std::string &outcome, std::chrono::microseconds duration);

	std::atomic<int64_t> in_flight{0};
	std::atomic<int64_t> sockets{0};
	std::atomic<uint64_t> socket_errors{0};
	std::atomic<uint64_t> slow_readers_closed{0};

	//! Gauges read when scraped (held-result bytes, worker status): name, help, and labelled values.
	struct Gauge {
		std::string name;
		std::string help;
		std::function<std::vector<std::pair<std::string, double>>()> read;
	};
	void AddGauge(Gauge gauge);

	//! The text exposition (version 0.0.4).
	std::string Render() const;

private:
	struct Series {
		uint64_t count = 0;
		double sum_seconds = 0;
		std::vector<uint64_t> buckets;
	};
	mutable std::mutex mutex_;
	std::map<std::pair<std::string, std::string>, uint64_t> requests_;
	std::map<std::string, Series> latency_;
	std::vector<Gauge> gauges_;
};

} // namespace deltaduck::gateway
