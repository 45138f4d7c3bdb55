#include "common/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace deltaduck {

void LogLine(nlohmann::json line) {
	static std::mutex mutex;
	auto now = std::chrono::system_clock::now();
	auto seconds = std::chrono::system_clock::to_time_t(now);
	auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
	std::tm utc{};
	gmtime_r(&seconds, &utc);
	char stamp[64];
	std::snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
	              utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(millis));
	line["time"] = stamp;
	auto text = line.dump() + "\n";
	std::lock_guard<std::mutex> lock(mutex);
	std::fputs(text.c_str(), stderr);
	std::fflush(stderr);
}

void LogEvent(const std::string &event, const std::string &message) {
	LogLine({{"event", event}, {"message", message}});
}

} // namespace deltaduck
