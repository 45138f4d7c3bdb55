#pragma once

// Internal to src/gateway: includes Beast; only the HTTP session uses it.

#include "gateway/server_context.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace deltaduck::gateway {

//! Takes over a connection whose request asked to upgrade to a WebSocket, and runs the session.
void StartWebSocketSession(boost::beast::tcp_stream stream,
                           boost::beast::http::request<boost::beast::http::string_body> upgrade,
                           ServerContext &context);

} // namespace deltaduck::gateway
