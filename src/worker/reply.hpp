#pragma once

#include "common/json_writer.hpp"

#include <exception>
#include <nlohmann/json.hpp>
#include <string>

namespace deltaduck::worker {

//! A request's argument, or null when absent.
const nlohmann::json &Field(const nlohmann::json &args, const char *name);
//! A string argument; InvalidInputError naming it when missing or not a string.
std::string RequireString(const nlohmann::json &args, const char *name);
//! The request id as a client sent it (a string, or a number as its text); empty when absent.
std::string RequestId(const nlohmann::json &request);

//! Opens a reply object with `respond_to` and `request_id` (null when empty).
void WriteReplyHead(JsonWriter &json, const std::string &respond_to, const std::string &request_id);
//! A reply whose whole answer is a message.
std::string MessageReply(const std::string &respond_to, const std::string &request_id, const std::string &message);
//! Writes an error reply for a request that failed (also for failures outside a worker, such as bad JSON):
//! `{"respond_to", "request_id", "error": {"type", "message", "detail"}, "data": {"message"}}`.
std::string ErrorReply(const std::string &respond_to, const std::string &request_id, const std::exception &error);

} // namespace deltaduck::worker
