#include "gateway/auth.hpp"

#include <algorithm>

namespace deltaduck::gateway {

namespace {

std::string CookieValue(const std::string &cookies, const std::string &name) {
	size_t start = 0;
	while (start < cookies.size()) {
		auto end = cookies.find(';', start);
		end = end == std::string::npos ? cookies.size() : end;
		auto pair = cookies.substr(start, end - start);
		pair.erase(0, pair.find_first_not_of(' '));
		if (pair.rfind(name + "=", 0) == 0) {
			return pair.substr(name.size() + 1);
		}
		start = end + 1;
	}
	return "";
}

} // namespace

std::optional<std::string> CheckToken(const AccessPolicy &policy, const HttpRequest &request) {
	if (policy.token.empty()) {
		return std::nullopt;
	}
	const auto &authorization = request.Header("authorization");
	std::string given;
	if (!authorization.empty()) {
		if (authorization.rfind("Bearer ", 0) != 0) {
			return "the Authorization header must be `Bearer <token>`";
		}
		given = authorization.substr(7);
	} else {
		given = CookieValue(request.Header("cookie"), TOKEN_COOKIE);
		if (given.empty()) {
			return "this server needs a token: send `Authorization: Bearer <token>` or sign in at /login";
		}
	}
	if (!ConstantTimeEquals(given, policy.token)) {
		return "the token given is not this server's token";
	}
	return std::nullopt;
}

std::optional<std::string> CheckOrigin(const AccessPolicy &policy, const HttpRequest &request) {
	const auto &origin = request.Header("origin");
	if (origin.empty()) {
		return std::nullopt;
	}
	auto scheme_end = origin.find("://");
	auto host = scheme_end == std::string::npos ? origin : origin.substr(scheme_end + 3);
	if (host == request.Header("host")) {
		return std::nullopt;
	}
	for (const auto &allowed : policy.allowed_origins) {
		if (allowed == "*" || allowed == origin) {
			return std::nullopt;
		}
	}
	return "pages from " + origin + " may not use this server (start it with --allow-origin " + origin +
	       " to allow them)";
}

} // namespace deltaduck::gateway
