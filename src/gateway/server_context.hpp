#pragma once

// Internal to src/gateway: what the listener and the sessions share. Includes Asio (not Beast).

#include "gateway/metrics.hpp"
#include "gateway/router.hpp"
#include "gateway/server.hpp"
#include "gateway/session_registry.hpp"
#include "gateway/static_files.hpp"

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>

namespace deltaduck::gateway {

struct ServerContext {
	const ServerOptions &options;
	Router &router;
	Metrics &metrics;
	SessionRegistry &registry;
	const StaticFiles &files;
	boost::asio::thread_pool &requests;
	std::atomic<bool> stopping{false};
};

//! Serves one HTTP connection (keep-alive), handing a WebSocket upgrade on /ws to its session.
boost::asio::awaitable<void> RunHttpSession(boost::asio::ip::tcp::socket socket, ServerContext &context);

} // namespace deltaduck::gateway
