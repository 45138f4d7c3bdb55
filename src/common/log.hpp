#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace deltaduck {

//! Writes one structured log line (a JSON object, with "time" added) to standard error; thread-safe.
void LogLine(nlohmann::json line);

//! A log line {"event": event, "message": message}.
void LogEvent(const std::string &event, const std::string &message);

} // namespace deltaduck
