#include "gateway/metrics.hpp"

#include <cstdio>

namespace deltaduck::gateway {

namespace {

//! Latency bucket bounds in seconds: from a cached lookup to a long scan.
const double BOUNDS[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
constexpr size_t BUCKETS = sizeof(BOUNDS) / sizeof(BOUNDS[0]);

std::string Label(const std::string &value) {
	std::string out;
	for (char c : value) {
		if (c == '\\' || c == '"') {
			out.push_back('\\');
			out.push_back(c);
		} else if (c == '\n') {
			out += "\\n";
		} else {
			out.push_back(c);
		}
	}
	return out;
}

std::string Number(double value) {
	char text[64];
	std::snprintf(text, sizeof(text), "%.10g", value);
	return text;
}

} // namespace

void Metrics::Record(const std::string &endpoint, const std::string &outcome, std::chrono::microseconds duration) {
	double seconds = double(duration.count()) / 1e6;
	std::lock_guard<std::mutex> lock(mutex_);
	requests_[{endpoint, outcome}]++;
	auto &series = latency_[endpoint];
	series.buckets.resize(BUCKETS);
	series.count++;
	series.sum_seconds += seconds;
	for (size_t i = 0; i < BUCKETS; i++) {
		series.buckets[i] += seconds <= BOUNDS[i];
	}
}

void Metrics::AddGauge(Gauge gauge) {
	std::lock_guard<std::mutex> lock(mutex_);
	gauges_.push_back(std::move(gauge));
}

std::string Metrics::Render() const {
	std::string out;
	auto line = [&](const std::string &text) { out += text + "\n"; };
	std::lock_guard<std::mutex> lock(mutex_);
	line("# HELP deltaduck_requests_total Requests answered, by endpoint and outcome.");
	line("# TYPE deltaduck_requests_total counter");
	for (const auto &[key, count] : requests_) {
		line("deltaduck_requests_total{endpoint=\"" + Label(key.first) + "\",outcome=\"" + Label(key.second) + "\"} " +
		     std::to_string(count));
	}
	line("# HELP deltaduck_request_errors_total Requests answered with an error, by endpoint.");
	line("# TYPE deltaduck_request_errors_total counter");
	std::map<std::string, uint64_t> errors;
	for (const auto &[key, count] : requests_) {
		if (key.second != "ok") {
			errors[key.first] += count;
		}
	}
	for (const auto &[endpoint, count] : errors) {
		line("deltaduck_request_errors_total{endpoint=\"" + Label(endpoint) + "\"} " + std::to_string(count));
	}
	line("# HELP deltaduck_request_duration_seconds Time from request to its last message, by endpoint.");
	line("# TYPE deltaduck_request_duration_seconds histogram");
	for (const auto &[endpoint, series] : latency_) {
		auto name = "deltaduck_request_duration_seconds_bucket{endpoint=\"" + Label(endpoint) + "\",le=\"";
		for (size_t i = 0; i < BUCKETS; i++) {
			line(name + Number(BOUNDS[i]) + "\"} " + std::to_string(series.buckets[i]));
		}
		line(name + "+Inf\"} " + std::to_string(series.count));
		line("deltaduck_request_duration_seconds_sum{endpoint=\"" + Label(endpoint) + "\"} " +
		     Number(series.sum_seconds));
		line("deltaduck_request_duration_seconds_count{endpoint=\"" + Label(endpoint) + "\"} " +
		     std::to_string(series.count));
	}
	auto gauge = [&](const char *name, const char *help, double value) {
		line(std::string("# HELP ") + name + " " + help);
		line(std::string("# TYPE ") + name + " gauge");
		line(std::string(name) + " " + Number(value));
	};
	gauge("deltaduck_requests_in_flight", "Requests being answered now.", double(in_flight.load()));
	gauge("deltaduck_websocket_connections", "Open WebSocket connections.", double(sockets.load()));
	line("# HELP deltaduck_websocket_closed_slow_total Sockets closed because their reader fell behind.");
	line("# TYPE deltaduck_websocket_closed_slow_total counter");
	line("deltaduck_websocket_closed_slow_total " + std::to_string(slow_readers_closed.load()));
	for (const auto &entry : gauges_) {
		line("# HELP " + entry.name + " " + entry.help);
		line("# TYPE " + entry.name + " gauge");
		for (const auto &[labels, value] : entry.read()) {
			line(entry.name + (labels.empty() ? "" : "{" + labels + "}") + " " + Number(value));
		}
	}
	return out;
}

} // namespace deltaduck::gateway
