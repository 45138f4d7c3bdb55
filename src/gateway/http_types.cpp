#include "gateway/http_types.hpp"

#include <nlohmann/json.hpp>

namespace deltaduck::gateway {

bool PercentDecode(const std::string &text, std::string &out, bool plus_is_space) {
	out.clear();
	for (size_t i = 0; i < text.size(); i++) {
		char c = text[i];
		if (c == '+' && plus_is_space) {
			out.push_back(' ');
		} else if (c != '%') {
			out.push_back(c);
		} else {
			if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
			    !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
				return false;
			}
			out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
			i += 2;
		}
	}
	return true;
}

std::map<std::string, std::string> ParseQuery(const std::string &text) {
	std::map<std::string, std::string> query;
	size_t start = 0;
	while (start < text.size()) {
		auto end = text.find('&', start);
		end = end == std::string::npos ? text.size() : end;
		auto pair = text.substr(start, end - start);
		auto equals = pair.find('=');
		std::string key, value;
		if (PercentDecode(pair.substr(0, equals), key, true) &&
		    (equals == std::string::npos || PercentDecode(pair.substr(equals + 1), value, true)) && !key.empty()) {
			query[key] = value;
		}
		start = end + 1;
	}
	return query;
}

HttpResponse JsonError(unsigned status, const std::string &type, const std::string &message) {
	HttpResponse response;
	response.status = status;
	// A message may quote a path or header that is not UTF-8: replaced, not thrown on.
	response.body = nlohmann::json{{"error", {{"type", type}, {"message", message}}}}.dump(
	    -1, ' ', false, nlohmann::json::error_handler_t::replace);
	return response;
}

} // namespace deltaduck::gateway
