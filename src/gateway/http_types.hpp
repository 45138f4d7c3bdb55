#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace deltaduck::gateway {

//! An HTTP request as the router sees it (the Beast types stay in the session code).
struct HttpRequest {
	std::string method;
	//! The path, percent-decoding not applied, without the query string.
	std::string path;
	//! Query parameters, decoded.
	std::map<std::string, std::string> query;
	//! Header names in lower case.
	std::map<std::string, std::string> headers;
	std::string body;

	const std::string &Header(const std::string &name) const {
		static const std::string NONE;
		auto it = headers.find(name);
		return it == headers.end() ? NONE : it->second;
	}
};

//! An HTTP response: a body in memory, or a file streamed from disk (deleted afterwards if asked).
struct HttpResponse {
	unsigned status = 200;
	std::string content_type = "application/json";
	std::vector<std::pair<std::string, std::string>> headers;
	std::string body;
	std::filesystem::path file;
	bool delete_file = false;
};

//! Percent-decodes `text` (`+` as a space when `plus_is_space`); false if an escape is malformed.
bool PercentDecode(const std::string &text, std::string &out, bool plus_is_space = false);
//! Splits `a=1&b=2` into decoded pairs.
std::map<std::string, std::string> ParseQuery(const std::string &text);
//! A JSON response `{"error": {"type", "message"}}`.
HttpResponse JsonError(unsigned status, const std::string &type, const std::string &message);

} // namespace deltaduck::gateway
