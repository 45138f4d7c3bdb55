#include "gateway/websocket_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

namespace deltaduck::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

//! One WebSocket client. Reads run in a coroutine; writes go one at a time from a bounded queue. Everything
//! touching the stream runs on the connection's strand; Send and Close post to it from any thread.
class WebSocketSession final : public Peer, public std::enable_shared_from_this<WebSocketSession> {
public:
	WebSocketSession(beast::tcp_stream stream, ServerContext &context)
	    : ws_(std::move(stream)), context_(context), id_(context.registry.NextId()) {
	}

	void Start(http::request<http::string_body> upgrade) {
		net::co_spawn(ws_.get_executor(), Run(shared_from_this(), std::move(upgrade)), net::detached);
	}

	uint64_t Id() const override {
		return id_;
	}

	void Send(std::string text) override {
		net::post(ws_.get_executor(),
		          [self = shared_from_this(), text = std::move(text)]() mutable { self->Enqueue(std::move(text)); });
	}

	void Close() override {
		net::post(ws_.get_executor(), [self = shared_from_this()] {
			if (self->closed_) {
				return;
			}
			self->closed_ = true;
			if (self->writing_) {
				beast::get_lowest_layer(self->ws_).close();
				return;
			}
			self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) {});
		});
	}

private:
	static net::awaitable<void> Run(std::shared_ptr<WebSocketSession> self, http::request<http::string_body> upgrade) {
		auto &ws = self->ws_;
		beast::get_lowest_layer(ws).expires_never();
		websocket::stream_base::timeout timeout;
		timeout.handshake_timeout = std::chrono::seconds(30);
		timeout.idle_timeout = self->context_.options.idle_timeout;
		timeout.keep_alive_pings = true;
		ws.set_option(timeout);
		ws.read_message_max(self->context_.options.max_message_bytes);
		ws.set_option(websocket::stream_base::decorator(
		    [](websocket::response_type &response) { response.set(http::field::server, "deltaduck"); }));
		auto [accept_error] = co_await ws.async_accept(upgrade, net::as_tuple(net::use_awaitable));
		if (accept_error) {
			co_return;
		}
		self->context_.registry.Add(self);
		self->context_.metrics.sockets++;
		beast::flat_buffer buffer;
		while (!self->closed_) {
			auto [error, bytes] = co_await ws.async_read(buffer, net::as_tuple(net::use_awaitable));
			if (error) {
				break;
			}
			self->context_.router.OnMessage(self, beast::buffers_to_string(buffer.data()), ws.got_text());
			buffer.consume(buffer.size());
		}
		self->closed_ = true;
		self->context_.router.OnClose(self->id_);
		self->context_.registry.Remove(self->id_);
		self->context_.metrics.sockets--;
	}

	void Enqueue(std::string text) {
		if (closed_) {
			return;
		}
		queued_bytes_ += text.size();
		if (queued_bytes_ > context_.options.max_send_queue_bytes) {
			// The client does not read: stop holding replies for it.
			context_.metrics.slow_readers_closed++;
			closed_ = true;
			// A write in flight still reads the front message: keep it until the write ends.
			queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
			beast::get_lowest_layer(ws_).close();
			return;
		}
		queue_.push_back(std::move(text));
		if (!writing_) {
			WriteNext();
		}
	}

	void WriteNext() {
		writing_ = true;
		ws_.text(true);
		ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code error, size_t) {
			if (!self->queue_.empty()) {
				self->queued_bytes_ -= self->queue_.front().size();
				self->queue_.pop_front();
			}
			if (error || self->queue_.empty() || self->closed_) {
				self->writing_ = false;
				return;
			}
			self->WriteNext();
		});
	}

	websocket::stream<beast::tcp_stream> ws_;
	ServerContext &context_;
	uint64_t id_;
	std::deque<std::string> queue_;
	size_t queued_bytes_ = 0;
	bool writing_ = false;
	bool closed_ = false;
};

} // namespace

void StartWebSocketSession(beast::tcp_stream stream, http::request<http::string_body> upgrade, ServerContext &context) {
	std::make_shared<WebSocketSession>(std::move(stream), context)->Start(std::move(upgrade));
}

} // namespace deltaduck::gateway
