#pragma once

#include "gateway/http_types.hpp"
#include "gateway/metrics.hpp"
#include "gateway/peer.hpp"
#include "rpc/dispatcher.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace deltaduck::worker {
class HeldResults;
}

namespace deltaduck::gateway {

using rpc::Dispatcher;

struct RouterOptions {
	//! Requests one socket may have running at once; more are answered with a Busy error. Well below the
	//! server's request threads, so that one busy page does not hold every thread.
	size_t max_in_flight_per_socket = 16;
	//! Where downloads are written before they stream (under the data directory's state folder).
	std::filesystem::path export_dir;
	//! How long a finished background job stays available to `jobstatus` / `attach`.
	std::chrono::minutes job_retention{60};
	//! One log line per request on stderr.
	bool log_requests = true;
	//! Sends a socket's duck requests to the worker that answered its first one, while that worker lives, so
	//! in-memory tables it made stay reachable (a cluster; the embedded worker is always the same).
	bool session_affinity = false;
};

//! Turns WebSocket messages and REST calls into worker requests, with the gateway's own endpoints: `cancel`
//! (scoped to the socket that started the request), background jobs (`background: true`, `jobstatus`,
//! `attach`), and the REST API. Blocking work runs through `submit`, never on the caller's thread.
class Router {
public:
	using Submit = std::function<void(std::function<void()>)>;
	Router(RouterOptions options, Dispatcher &dispatcher, std::shared_ptr<worker::HeldResults> held, Metrics &metrics,
	       Submit submit);
	~Router();

	//! A message from a socket. Replies go to the peer; the call returns at once.
	void OnMessage(const std::shared_ptr<Peer> &peer, std::string text, bool text_frame);
	//! The socket closed: its running requests (not its background jobs) are cancelled.
	void OnClose(uint64_t peer_id);
	//! Answers /api/*, /healthz and /metrics (blocking: call it off the I/O threads). Nothing else.
	HttpResponse HandleHttp(const HttpRequest &request);
	//! Whether `path` is one HandleHttp answers.
	static bool IsApiPath(const std::string &path);

	//! Waits up to `grace` for running requests to finish, then cancels the rest and waits for them to end.
	void Drain(std::chrono::milliseconds grace);
	//! Requests running now.
	size_t InFlight() const;

	struct Impl;

private:
	std::unique_ptr<Impl> impl_;
};

} // namespace deltaduck::gateway
