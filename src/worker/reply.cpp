#include "worker/reply.hpp"

#include "common/error.hpp"

namespace deltaduck::worker {

using json = nlohmann::json;

const json &Field(const json &args, const char *name) {
	static const json NONE;
	auto it = args.find(name);
	return it == args.end() ? NONE : *it;
}

std::string RequireString(const json &args, const char *name) {
	const auto &value = Field(args, name);
	if (!value.is_string()) {
		throw InvalidInputError(std::string("request_args.") + name +
		                        (value.is_null() ? " is missing" : " must be a string"));
	}
	return value.get<std::string>();
}

std::string RequestId(const json &request) {
	const auto &id = Field(request, "request_id");
	return id.is_string() ? id.get<std::string>() : id.is_number() ? id.dump() : std::string();
}

void WriteReplyHead(JsonWriter &json, const std::string &respond_to, const std::string &request_id) {
	json.BeginObject();
	json.Key("respond_to");
	json.String(respond_to);
	json.Key("request_id");
	request_id.empty() ? json.Null() : json.String(request_id);
}

std::string MessageReply(const std::string &respond_to, const std::string &request_id, const std::string &message) {
	std::string out;
	JsonWriter json(out);
	WriteReplyHead(json, respond_to, request_id);
	json.Key("response_contents");
	json.BeginArray();
	json.String("Message");
	json.EndArray();
	json.Key("data");
	json.BeginObject();
	json.Key("message");
	json.String(message);
	json.EndObject();
	json.EndObject();
	return out;
}

std::string ErrorReply(const std::string &respond_to, const std::string &request_id, const std::exception &error) {
	auto *typed = dynamic_cast<const Error *>(&error);
	std::string out;
	JsonWriter json(out);
	WriteReplyHead(json, respond_to, request_id);
	json.Key("error");
	json.BeginObject();
	json.Key("type");
	json.String(ErrorTypeName(typed ? typed->Type() : ErrorType::INTERNAL));
	json.Key("message");
	json.String(error.what());
	// The original's clients show a string: its wording, with the real cause.
	auto detail = std::string("An unexpected error occurred: ") + error.what();
	json.Key("detail");
	json.String(detail);
	json.EndObject();
	json.Key("data");
	json.BeginObject();
	json.Key("message");
	json.String(detail);
	json.EndObject();
	json.EndObject();
	return out;
}

} // namespace deltaduck::worker
