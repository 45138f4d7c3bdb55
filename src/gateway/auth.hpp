#pragma once

#include "common/access_token.hpp"
#include "gateway/http_types.hpp"

#include <optional>
#include <string>
#include <vector>

namespace deltaduck::gateway {

using deltaduck::ConstantTimeEquals;
using deltaduck::IsLoopback;

//! Who may use the server: a token (required on any address but loopback) and the origins whose pages may
//! open the WebSocket.
struct AccessPolicy {
	//! Empty: no token asked (loopback only).
	std::string token;
	//! Origins allowed besides the server's own (e.g. `http://localhost:5173` for a dev server); `*` allows any.
	std::vector<std::string> allowed_origins;
};

//! The cookie /login sets.
constexpr const char *TOKEN_COOKIE = "deltaduck_token";

//! Why a request is refused, or nothing when it may pass: the token comes as `Authorization: Bearer <token>`
//! or in the cookie. The reason names what was missing or wrong, never the expected token.
std::optional<std::string> CheckToken(const AccessPolicy &policy, const HttpRequest &request);

//! Why a WebSocket upgrade from a page of another origin is refused, or nothing: a browser sends `Origin`;
//! it must be the server's own (its `Host`) or an allowed one. Clients without `Origin` (scripts) pass.
std::optional<std::string> CheckOrigin(const AccessPolicy &policy, const HttpRequest &request);

} // namespace deltaduck::gateway
