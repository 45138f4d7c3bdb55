#include "rpc/http_dispatcher.hpp"

#include "common/error.hpp"
#include "rpc/amqp_dispatcher.hpp"
#include "worker/reply.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <thread>

namespace deltaduck::rpc {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::pair<std::string, uint16_t> ParseWorkerUrl(const std::string &url) {
	const std::string scheme = "http://";
	auto rest = url.rfind(scheme, 0) == 0 ? url.substr(scheme.size()) : "";
	while (!rest.empty() && rest.back() == '/') {
		rest.pop_back();
	}
	auto colon = rest.rfind(':');
	int port = -1;
	if (colon != std::string::npos && rest.find('/') == std::string::npos) {
		try {
			port = std::stoi(rest.substr(colon + 1));
		} catch (const std::exception &) {
		}
	}
	if (port <= 0 || port > 65535) {
		throw InvalidInputError("a worker URL is http://HOST:PORT, got " + url);
	}
	return {rest.substr(0, colon), static_cast<uint16_t>(port)};
}

namespace {

//! One kept-alive connection to a worker. Operations run on its own io_context, so they can be timed out while
//! the calling thread blocks.
class WorkerConnection {
public:
	WorkerConnection() : stream_(io_) {
	}

	void Connect(const std::string &host, uint16_t port, std::chrono::milliseconds timeout) {
		tcp::endpoint endpoint(net::ip::make_address(host), port);
		stream_.expires_after(timeout);
		Run([&](auto done) { stream_.async_connect(endpoint, [done](beast::error_code error) { done(error); }); });
		stream_.socket().set_option(tcp::no_delay(true));
	}

	//! Sends a request and passes each line of the answer's body to `on_line` as it arrives.
	unsigned Exchange(http::request<http::string_body> &request, std::chrono::milliseconds timeout,
	                  const std::function<void(std::string)> &on_line) {
		stream_.expires_after(timeout);
		Run([&](auto done) {
			http::async_write(stream_, request, [done](beast::error_code error, size_t) { done(error); });
		});
		http::response_parser<http::buffer_body> parser;
		parser.body_limit(boost::none);
		Run([&](auto done) {
			http::async_read_header(stream_, buffer_, parser, [done](beast::error_code error, size_t) { done(error); });
		});
		std::string pending;
		char chunk[16384];
		while (!parser.is_done()) {
			parser.get().body().data = chunk;
			parser.get().body().size = sizeof(chunk);
			Run([&](auto done) {
				http::async_read(stream_, buffer_, parser, [done](beast::error_code error, size_t) {
					done(error == http::error::need_buffer ? beast::error_code() : error);
				});
			});
			pending.append(chunk, sizeof(chunk) - parser.get().body().size);
			for (auto newline = pending.find('\n'); newline != std::string::npos; newline = pending.find('\n')) {
				on_line(pending.substr(0, newline));
				pending.erase(0, newline + 1);
			}
		}
		if (!pending.empty()) {
			on_line(pending);
		}
		keep_alive_ = parser.get().keep_alive();
		return parser.get().result_int();
	}

	bool KeepAlive() const {
		return keep_alive_;
	}

private:
	template <class Start>
	void Run(Start start) {
		beast::error_code result = net::error::would_block;
		start([&](beast::error_code error) { result = error; });
		io_.restart();
		io_.run();
		if (result) {
			throw beast::system_error(result);
		}
	}

	net::io_context io_{1};
	beast::tcp_stream stream_;
	beast::flat_buffer buffer_;
	bool keep_alive_ = true;
};

//! A worker as the gateway sees it.
struct Endpoint {
	std::string url;
	std::string host;
	uint16_t port = 0;
	std::string role;
	//! Its id, from /healthz.
	std::string id;
	bool healthy = false;
	std::string last_error = "not checked yet";
	size_t in_flight = 0;
	uint64_t handled = 0;
	std::vector<std::unique_ptr<WorkerConnection>> idle;
};

class HttpDispatcher final : public Dispatcher {
public:
	explicit HttpDispatcher(HttpDispatcherOptions options) : options_(std::move(options)) {
		for (const auto &[role, urls] : options_.workers) {
			for (const auto &url : urls) {
				auto endpoint = std::make_unique<Endpoint>();
				endpoint->url = url;
				std::tie(endpoint->host, endpoint->port) = ParseWorkerUrl(url);
				endpoint->role = role;
				endpoints_.push_back(std::move(endpoint));
			}
		}
		CheckHealth();
		health_thread_ = std::thread([this] {
			std::unique_lock<std::mutex> lock(mutex_);
			while (!stop_) {
				stopped_.wait_for(lock, options_.health_interval, [&] { return stop_; });
				if (stop_) {
					break;
				}
				lock.unlock();
				CheckHealth();
				lock.lock();
			}
		});
	}

	~HttpDispatcher() override {
		{
			std::lock_guard<std::mutex> lock(mutex_);
			stop_ = true;
		}
		stopped_.notify_all();
		health_thread_.join();
	}

	std::string Call(const std::string &role, const json &request, const std::string &run_id,
	                 const worker::Send &send) override {
		auto node = TargetNode(request);
		auto *endpoint = Choose(role, node);
		{
			std::lock_guard<std::mutex> lock(mutex_);
			runs_[run_id] = endpoint;
		}
		bool anything_received = false;
		try {
			Exchange(*endpoint, "POST", "/call", request.dump(), run_id, options_.request_timeout,
			         [&](std::string line) {
				         anything_received = true;
				         send(std::move(line));
			         });
		} catch (const beast::system_error &e) {
			Finish(*endpoint, run_id);
			MarkUnhealthy(*endpoint, e.what());
			if (e.code() == beast::error::timeout) {
				throw TimeoutError("no answer from the " + role + " worker at " + endpoint->url + " within " +
				                   std::to_string(options_.request_timeout.count() / 1000) + " s");
			}
			throw IOError("the " + role + " worker at " + endpoint->url + " stopped answering" +
			              (anything_received ? " during the request" : "") + ": " + e.code().message());
		}
		Finish(*endpoint, run_id);
		std::lock_guard<std::mutex> lock(mutex_);
		return endpoint->id;
	}

	bool Cancel(const std::string &role, const std::string &run_id) override {
		Endpoint *endpoint = nullptr;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			auto it = runs_.find(run_id);
			if (it == runs_.end() || it->second->role != role) {
				return false;
			}
			endpoint = it->second;
		}
		try {
			unsigned status = Exchange(*endpoint, "POST", "/cancel?run_id=" + run_id, "", "", std::chrono::seconds(5),
			                           [](std::string) {});
			return status == 200;
		} catch (const std::exception &) {
			return false;
		}
	}

	std::optional<double> Progress(const std::string &, const std::string &run_id) override {
		Endpoint *endpoint = nullptr;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			auto it = runs_.find(run_id);
			if (it == runs_.end()) {
				return std::nullopt;
			}
			endpoint = it->second;
		}
		std::optional<double> progress;
		try {
			Exchange(*endpoint, "GET", "/progress?run_id=" + run_id, "", "", std::chrono::seconds(2),
			         [&](std::string line) {
				         auto answer = json::parse(line, nullptr, false);
				         if (answer.is_object() && answer["progress"].is_number()) {
					         progress = answer["progress"].get<double>();
				         }
			         });
		} catch (const std::exception &) {
		}
		return progress;
	}

	json Workers() override {
		std::lock_guard<std::mutex> lock(mutex_);
		auto list = json::array();
		for (const auto &endpoint : endpoints_) {
			list.push_back({{"id", endpoint->id.empty() ? endpoint->url : endpoint->id},
			                {"role", endpoint->role},
			                {"transport", "http"},
			                {"address", endpoint->url},
			                {"status", endpoint->healthy ? "up" : "down"},
			                {"in_flight", endpoint->in_flight},
			                {"handled", endpoint->handled}});
			if (!endpoint->healthy) {
				list.back()["error"] = endpoint->last_error;
			}
		}
		return list;
	}

private:
	//! The healthy worker of the role with the fewest requests in flight, or the one named `node`.
	Endpoint *Choose(const std::string &role, const std::string &node) {
		std::lock_guard<std::mutex> lock(mutex_);
		Endpoint *best = nullptr;
		bool any_of_role = false;
		for (auto &endpoint : endpoints_) {
			if (endpoint->role != role || (!node.empty() && endpoint->id != node)) {
				continue;
			}
			any_of_role = true;
			if (endpoint->healthy && (!best || endpoint->in_flight < best->in_flight ||
			                          (endpoint->in_flight == best->in_flight && endpoint->handled < best->handled))) {
				best = endpoint.get();
			}
		}
		if (!best) {
			if (!node.empty()) {
				throw NotFoundError("no " + role + " worker named " + node +
				                    (any_of_role ? " is answering its health check" : " is configured"));
			}
			throw NotFoundError("no " + role + " worker is answering" +
			                    (any_of_role ? " (every one failed its health check)" : " (none is configured)"));
		}
		best->in_flight++;
		best->handled++;
		return best;
	}

	void Finish(Endpoint &endpoint, const std::string &run_id) {
		std::lock_guard<std::mutex> lock(mutex_);
		endpoint.in_flight--;
		runs_.erase(run_id);
	}

	void MarkUnhealthy(Endpoint &endpoint, const std::string &why) {
		std::lock_guard<std::mutex> lock(mutex_);
		endpoint.healthy = false;
		endpoint.last_error = why;
		endpoint.idle.clear();
	}

	//! One exchange over a kept-alive connection to `endpoint` (a new one when none is idle).
	unsigned Exchange(Endpoint &endpoint, const char *method, const std::string &target, std::string body,
	                  const std::string &run_id, std::chrono::milliseconds timeout,
	                  const std::function<void(std::string)> &on_line) {
		std::unique_ptr<WorkerConnection> connection;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			if (!endpoint.idle.empty()) {
				connection = std::move(endpoint.idle.back());
				endpoint.idle.pop_back();
			}
		}
		if (!connection) {
			connection = std::make_unique<WorkerConnection>();
			connection->Connect(endpoint.host, endpoint.port, std::chrono::seconds(5));
		}
		http::request<http::string_body> request{http::string_to_verb(method), target, 11};
		request.set(http::field::host, endpoint.host + ":" + std::to_string(endpoint.port));
		request.set(http::field::content_type, "application/json");
		if (!run_id.empty()) {
			request.set("X-Run-Id", run_id);
		}
		if (!options_.token.empty()) {
			request.set(http::field::authorization, "Bearer " + options_.token);
		}
		request.keep_alive(true);
		request.body() = std::move(body);
		request.prepare_payload();
		auto status = connection->Exchange(request, timeout, on_line);
		if (connection->KeepAlive()) {
			std::lock_guard<std::mutex> lock(mutex_);
			endpoint.idle.push_back(std::move(connection));
		}
		return status;
	}

	void CheckHealth() {
		for (auto &endpoint : endpoints_) {
			json health;
			std::string error;
			try {
				// A fresh connection each time: a kept-alive one could hide a worker that stopped accepting.
				WorkerConnection connection;
				connection.Connect(endpoint->host, endpoint->port, std::chrono::seconds(1));
				http::request<http::string_body> request{http::verb::get, "/healthz", 11};
				request.set(http::field::host, endpoint->host);
				if (!options_.token.empty()) {
					request.set(http::field::authorization, "Bearer " + options_.token);
				}
				request.keep_alive(false);
				auto status = connection.Exchange(request, std::chrono::seconds(2), [&](std::string line) {
					health = json::parse(line, nullptr, false);
				});
				if (status != 200 || !health.is_object()) {
					error = "health check answered " + std::to_string(status);
				}
			} catch (const std::exception &e) {
				error = e.what();
			}
			std::lock_guard<std::mutex> lock(mutex_);
			endpoint->healthy = error.empty();
			endpoint->last_error = error;
			if (error.empty()) {
				endpoint->id = health.value("id", "");
			} else {
				endpoint->idle.clear();
			}
		}
	}

	HttpDispatcherOptions options_;
	std::mutex mutex_;
	std::condition_variable stopped_;
	bool stop_ = false;
	std::vector<std::unique_ptr<Endpoint>> endpoints_;
	std::map<std::string, Endpoint *> runs_;
	std::thread health_thread_;
};

} // namespace

std::unique_ptr<Dispatcher> OpenHttpDispatcher(HttpDispatcherOptions options) {
	return std::make_unique<HttpDispatcher>(std::move(options));
}

} // namespace deltaduck::rpc
