#include "rpc/http_worker.hpp"

#include "common/access_token.hpp"
#include "common/error.hpp"
#include "common/json_depth.hpp"
#include "common/log.hpp"
#include "rpc/amqp_worker.hpp"
#include "rpc/request_priority.hpp"
#include "worker/reply.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <thread>

namespace deltaduck::rpc {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

//! The messages of one running request, from its thread to the connection writing them out.
class MessageChannel : public std::enable_shared_from_this<MessageChannel> {
public:
	explicit MessageChannel(net::any_io_executor executor) : timer_(executor, Clock::time_point::max()) {
	}
	void Push(std::string message, bool last = false) {
		{
			std::lock_guard<std::mutex> lock(mutex_);
			messages_.push_back(std::move(message));
			done_ = done_ || last;
		}
		Wake();
	}
	void Finish() {
		{
			std::lock_guard<std::mutex> lock(mutex_);
			done_ = true;
		}
		Wake();
	}
	//! Waits until there is something to write or the request ended; returns the messages and whether it ended.
	net::awaitable<std::pair<std::deque<std::string>, bool>> Next() {
		while (true) {
			{
				std::lock_guard<std::mutex> lock(mutex_);
				if (!messages_.empty() || done_) {
					co_return std::make_pair(std::exchange(messages_, {}), done_ && messages_.empty());
				}
			}
			timer_.expires_at(Clock::time_point::max());
			co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
		}
	}

private:
	void Wake() {
		// Runs on the connection's strand, so it cannot slip in between a check in Next and its wait.
		net::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
	}
	std::mutex mutex_;
	std::deque<std::string> messages_;
	bool done_ = false;
	net::steady_timer timer_;
};

json ErrorBody(const std::string &type, const std::string &message) {
	return {{"error", {{"type", type}, {"message", message}}}};
}

std::string QueryParameter(const std::string &target, const std::string &name) {
	auto at = target.find("?" + name + "=");
	if (at == std::string::npos) {
		at = target.find("&" + name + "=");
	}
	if (at == std::string::npos) {
		return "";
	}
	auto start = at + name.size() + 2;
	auto end = target.find('&', start);
	return target.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

} // namespace

struct HttpWorker::Impl {
	HttpWorkerOptions options;
	RoleHandler handler;
	net::io_context io{1};
	tcp::acceptor acceptor{io};

	struct Running {
		Clock::time_point started = Clock::now();
		std::optional<Clock::time_point> interrupted;
		std::string request_id;
		std::shared_ptr<MessageChannel> channel;
		//! The thread running it, and whether it was given a lower priority (see DEMOTE_AFTER).
		pid_t thread_id = 0;
		bool demoted = false;
	};
	mutable std::mutex mutex;
	std::condition_variable ended;
	std::map<std::string, Running> running;
	size_t threads = 0;

	Impl(HttpWorkerOptions options_p, RoleHandler handler_p)
	    : options(std::move(options_p)), handler(std::move(handler_p)) {
	}

	void Cancel(const std::string &run_id) {
		{
			std::lock_guard<std::mutex> lock(mutex);
			auto it = running.find(run_id);
			if (it != running.end() && !it->second.interrupted) {
				it->second.interrupted = Clock::now();
			}
		}
		handler.cancel(run_id);
	}

	http::response<http::string_body> Answer(const http::request<http::string_body> &request, unsigned status,
	                                         const json &body) {
		http::response<http::string_body> response{static_cast<http::status>(status), request.version()};
		response.set(http::field::content_type, "application/json");
		response.keep_alive(request.keep_alive());
		response.body() = body.dump();
		response.prepare_payload();
		return response;
	}

	std::optional<std::string> Refusal(const http::request<http::string_body> &request) {
		if (options.token.empty()) {
			return std::nullopt;
		}
		auto header = std::string(request[http::field::authorization]);
		if (header.rfind("Bearer ", 0) != 0 || !ConstantTimeEquals(header.substr(7), options.token)) {
			return std::string("this worker needs its access token (Authorization: Bearer)");
		}
		return std::nullopt;
	}

	//! Starts the request on a thread of its own; its messages go to `channel`.
	std::optional<std::string> Start(const std::string &run_id, json request,
	                                 const std::shared_ptr<MessageChannel> &channel) {
		std::lock_guard<std::mutex> lock(mutex);
		if (running.count(run_id)) {
			return "a request with this run id already runs on this worker";
		}
		running[run_id] = {Clock::now(), std::nullopt, worker::RequestId(request), channel, 0, false};
		threads++;
		std::thread([this, run_id, request = std::move(request), channel] {
			{
				std::lock_guard<std::mutex> lock(mutex);
				running[run_id].thread_id = CurrentThreadId();
			}
			handler.handle(
			    request, [&](std::string message) { channel->Push(std::move(message)); }, run_id);
			channel->Finish();
			std::lock_guard<std::mutex> lock(mutex);
			running.erase(run_id);
			threads--;
			ended.notify_all();
		}).detach();
		return std::nullopt;
	}

	net::awaitable<beast::error_code> StreamCall(beast::tcp_stream &stream,
	                                             const http::request<http::string_body> &request) {
		auto run_id = std::string(request["X-Run-Id"]);
		auto body = JsonDepthWithin(request.body()) ? json::parse(request.body(), nullptr, false) : json();
		std::optional<std::string> refusal;
		if (run_id.empty() || !body.is_object()) {
			refusal = "POST /call needs an X-Run-Id header and a JSON object body";
		}
		auto channel = std::make_shared<MessageChannel>(stream.get_executor());
		if (!refusal) {
			refusal = Start(run_id, std::move(body), channel);
		}
		beast::error_code error;
		if (refusal) {
			// (Built before co_await: GCC 12 miscompiles braced initializer lists inside co_await expressions.)
			auto response = Answer(request, 400, ErrorBody("InvalidInput", *refusal));
			auto written = co_await http::async_write(stream, response, net::as_tuple(net::use_awaitable));
			co_return std::get<0>(written);
		}
		http::response<http::empty_body> head{http::status::ok, request.version()};
		head.set(http::field::content_type, "application/x-ndjson");
		head.chunked(true);
		head.keep_alive(request.keep_alive());
		http::response_serializer<http::empty_body> serializer{head};
		stream.expires_never();
		std::tie(error, std::ignore) =
		    co_await http::async_write_header(stream, serializer, net::as_tuple(net::use_awaitable));
		while (!error) {
			std::pair<std::deque<std::string>, bool> next = co_await channel->Next();
			for (auto &message : next.first) {
				message.push_back('\n');
				auto chunk = http::make_chunk(net::buffer(message));
				auto written = co_await net::async_write(stream, chunk, net::as_tuple(net::use_awaitable));
				error = std::get<0>(written);
				if (error) {
					break;
				}
			}
			if (next.second || error) {
				break;
			}
		}
		if (error) {
			// The gateway went away: nobody waits for this answer any more.
			Cancel(run_id);
			co_return error;
		}
		auto last = http::make_chunk_last();
		auto written = co_await net::async_write(stream, last, net::as_tuple(net::use_awaitable));
		co_return std::get<0>(written);
	}

	net::awaitable<void> Session(tcp::socket socket) {
		beast::tcp_stream stream(std::move(socket));
		beast::flat_buffer buffer;
		while (true) {
			stream.expires_after(std::chrono::seconds(120));
			http::request_parser<http::string_body> parser;
			parser.body_limit(64 << 20);
			auto [read_error, bytes] =
			    co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
			if (read_error) {
				break;
			}
			auto request = parser.release();
			auto target = std::string(request.target());
			auto path = target.substr(0, target.find('?'));
			beast::error_code error;
			std::optional<http::response<http::string_body>> response;
			if (auto refusal = Refusal(request)) {
				response = Answer(request, 401, ErrorBody("Unauthorized", *refusal));
			} else if (path == "/call" && request.method() == http::verb::post) {
				error = co_await StreamCall(stream, request);
			} else if (path == "/cancel" && request.method() == http::verb::post) {
				auto run_id = QueryParameter(target, "run_id");
				bool found;
				{
					std::lock_guard<std::mutex> lock(mutex);
					found = running.count(run_id) > 0;
				}
				if (found) {
					Cancel(run_id);
				}
				response = Answer(request, found ? 200 : 404, json::object({{"cancelled", found}}));
			} else if (path == "/progress" && request.method() == http::verb::get) {
				auto progress = handler.progress(QueryParameter(target, "run_id"));
				response = Answer(request, 200, {{"progress", progress ? json(*progress) : json()}});
			} else if (path == "/healthz" && request.method() == http::verb::get) {
				std::lock_guard<std::mutex> lock(mutex);
				response = Answer(request, 200,
				                  {{"id", handler.worker_id}, {"role", handler.role}, {"in_flight", running.size()}});
			} else {
				response = Answer(request, 404, ErrorBody("NotFound", "no such endpoint: " + path));
			}
			if (response) {
				std::tie(error, std::ignore) =
				    co_await http::async_write(stream, *response, net::as_tuple(net::use_awaitable));
			}
			if (error || !request.keep_alive()) {
				break;
			}
		}
		beast::error_code ignored;
		stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
	}

	net::awaitable<void> Accept() {
		while (acceptor.is_open()) {
			auto [error, socket] =
			    co_await acceptor.async_accept(net::make_strand(io), net::as_tuple(net::use_awaitable));
			if (error) {
				if (!acceptor.is_open()) {
					co_return;
				}
				continue;
			}
			// Each message is written as it comes: without this every chunk would wait for the gateway's delayed
			// acknowledgement (~40 ms, Nagle).
			boost::system::error_code ignored;
			socket.set_option(tcp::no_delay(true), ignored);
			auto executor = socket.get_executor();
			net::co_spawn(executor, Session(std::move(socket)), net::detached);
		}
	}

	//! Gives up on a request that ignored interruption past the grace period: answers it and exits, for the
	//! supervisor to start a fresh worker.
	void Watch() {
		auto now = Clock::now();
		std::lock_guard<std::mutex> lock(mutex);
		for (auto &[run_id, entry] : running) {
			if (!entry.demoted && entry.thread_id && now - entry.started > DEMOTE_AFTER) {
				entry.demoted = true;
				DemoteThread(entry.thread_id);
			}
			bool overdue = now - entry.started > options.time_limit + options.grace ||
			               (entry.interrupted && now - *entry.interrupted > options.grace);
			if (!overdue) {
				continue;
			}
			auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.grace).count();
			entry.channel->Push(
			    worker::ErrorReply(handler.role, entry.request_id,
			                       TimeoutError("the request ignored interruption for " + std::to_string(seconds) +
			                                    " s; its worker " + handler.worker_id + " restarts to stop it")),
			    true);
			LogLine({{"event", "worker_restart"},
			         {"worker", handler.worker_id},
			         {"run_id", run_id},
			         {"message", "a request ignored interruption past the grace period"}});
			std::thread([] {
				std::this_thread::sleep_for(std::chrono::milliseconds(500)); // let the answer go out
				std::_Exit(EXIT_RESTART);
			}).detach();
			return;
		}
	}
};

HttpWorker::HttpWorker(HttpWorkerOptions options, RoleHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
}

HttpWorker::~HttpWorker() {
	std::unique_lock<std::mutex> lock(impl_->mutex);
	impl_->ended.wait(lock, [&] { return impl_->threads == 0; });
}

size_t HttpWorker::InFlight() const {
	std::lock_guard<std::mutex> lock(impl_->mutex);
	return impl_->running.size();
}

uint16_t HttpWorker::Listen() {
	auto &impl = *impl_;
	if (!IsLoopback(impl.options.host) && impl.options.token.empty()) {
		throw PermissionError("a worker listening on " + impl.options.host +
		                      " (not loopback) needs an access token: pass --token or set DELTADUCK_TOKEN");
	}
	boost::system::error_code error;
	auto address = net::ip::make_address(impl.options.host, error);
	if (error) {
		throw InvalidInputError("not an IP address to listen on: " + impl.options.host);
	}
	tcp::endpoint endpoint(address, impl.options.port);
	impl.acceptor.open(endpoint.protocol());
	impl.acceptor.set_option(net::socket_base::reuse_address(true));
	impl.acceptor.bind(endpoint, error);
	if (error) {
		throw IOError("cannot listen on " + impl.options.host + ":" + std::to_string(impl.options.port) + ": " +
		              error.message());
	}
	impl.acceptor.listen(net::socket_base::max_listen_connections);
	return impl.acceptor.local_endpoint().port();
}

void HttpWorker::Run(const std::atomic<bool> &stop) {
	auto &impl = *impl_;
	net::co_spawn(impl.io, impl.Accept(), net::detached);
	std::thread io_thread([&] { impl.io.run(); });
	while (!stop) {
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		impl.Watch();
	}
	net::post(impl.io, [&] {
		boost::system::error_code ignored;
		impl.acceptor.close(ignored);
	});
	{
		// Running requests finish and their answers go out before the process ends.
		std::unique_lock<std::mutex> lock(impl.mutex);
		impl.ended.wait_for(lock, impl.options.time_limit + impl.options.grace, [&] { return impl.threads == 0; });
	}
	std::this_thread::sleep_for(std::chrono::milliseconds(100));
	impl.io.stop();
	io_thread.join();
}

} // namespace deltaduck::rpc
