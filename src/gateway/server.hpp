#pragma once

#include "gateway/auth.hpp"
#include "gateway/metrics.hpp"
#include "gateway/router.hpp"
#include "rpc/dispatcher.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace deltaduck::worker {
class HeldResults;
}

namespace deltaduck::gateway {

struct ServerOptions {
	std::string host = "127.0.0.1";
	//! 0 picks a free port (see Server::Listen).
	uint16_t port = 8080;
	AccessPolicy access;
	//! The built web app (web/dist).
	std::filesystem::path web_dir;
	//! Largest WebSocket message accepted; a bigger one closes the socket with status 1009.
	size_t max_message_bytes = size_t(1) << 20;
	//! Largest HTTP request body.
	size_t max_body_bytes = size_t(8) << 20;
	//! Replies waiting for a socket whose reader fell behind; past it the socket is closed.
	size_t max_send_queue_bytes = size_t(64) << 20;
	//! A socket silent this long (pings unanswered) is closed; pings go out at half of it.
	std::chrono::seconds idle_timeout{60};
	//! At shutdown, how long running requests may take before they are cancelled.
	std::chrono::milliseconds shutdown_grace{10000};
	size_t io_threads = 2;
	//! Threads running requests (blocking work never runs on I/O threads).
	size_t request_threads = 64;
	RouterOptions router;
};

//! `deltaduck serve`: HTTP and WebSocket on one port, with the router, static files and access checks.
class Server {
public:
	Server(ServerOptions options, Dispatcher &dispatcher, std::shared_ptr<worker::HeldResults> held);
	~Server();
	//! Binds and listens; returns the port (the chosen one when the options said 0).
	uint16_t Listen();
	//! Serves until SIGINT, SIGTERM or Stop; then stops accepting, lets running requests finish within the
	//! grace period, cancels the rest and closes every socket.
	void Run();
	//! Asks Run to shut down (any thread).
	void Stop();
	Metrics &GetMetrics();

	struct Impl;

private:
	std::unique_ptr<Impl> impl_;
};

} // namespace deltaduck::gateway
