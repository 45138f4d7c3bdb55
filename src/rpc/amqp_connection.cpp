#include "rpc/amqp_connection.hpp"

#include "common/error.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>
#include <utility>
#include <vector>

namespace deltaduck::rpc {

struct AmqpConnection::State {
	amqp_connection_state_t connection = nullptr;
};

namespace {

std::string ToString(amqp_bytes_t bytes) {
	return bytes.len ? std::string(static_cast<const char *>(bytes.bytes), bytes.len) : std::string();
}

amqp_bytes_t Bytes(const std::string &text) {
	return amqp_bytes_t{text.size(), const_cast<char *>(text.data())};
}

//! A readable reason for a failed RPC reply.
std::string Reason(const amqp_rpc_reply_t &reply) {
	switch (reply.reply_type) {
	case AMQP_RESPONSE_NORMAL:
		return "ok";
	case AMQP_RESPONSE_NONE:
		return "no reply";
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		return amqp_error_string2(reply.library_error);
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
			auto *close = static_cast<amqp_connection_close_t *>(reply.reply.decoded);
			return "the broker closed the connection: " + ToString(close->reply_text);
		}
		if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
			auto *close = static_cast<amqp_channel_close_t *>(reply.reply.decoded);
			return "the broker closed the channel: " + ToString(close->reply_text);
		}
		return "the broker refused the request";
	}
	return "unknown failure";
}

timeval ToTimeval(std::chrono::milliseconds timeout) {
	timeval value{};
	value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
	value.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
	return value;
}

} // namespace

std::string RedactAmqpUrl(const std::string &url) {
	auto scheme = url.find("://");
	auto at = url.rfind('@');
	if (scheme == std::string::npos || at == std::string::npos || at < scheme) {
		return url;
	}
	auto user_end = url.find(':', scheme + 3);
	auto user = url.substr(scheme + 3, (user_end == std::string::npos || user_end > at ? at : user_end) - scheme - 3);
	return url.substr(0, scheme + 3) + user + "@" + url.substr(at + 1);
}

AmqpConnection::AmqpConnection(State *state, std::string broker) : state_(state), broker_(std::move(broker)) {
}

AmqpConnection::AmqpConnection(AmqpConnection &&other) noexcept
    : state_(std::exchange(other.state_, nullptr)), broker_(std::move(other.broker_)) {
}

AmqpConnection &AmqpConnection::operator=(AmqpConnection &&other) noexcept {
	if (this != &other) {
		AmqpConnection old(std::move(*this));
		state_ = std::exchange(other.state_, nullptr);
		broker_ = std::move(other.broker_);
	}
	return *this;
}

AmqpConnection::~AmqpConnection() {
	if (!state_) {
		return;
	}
	// A polite close when the broker is still there; the socket closes either way.
	amqp_connection_close(state_->connection, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(state_->connection);
	delete state_;
}

AmqpConnection AmqpConnection::Open(const std::string &url, std::chrono::seconds heartbeat,
                                    std::chrono::milliseconds connect_timeout) {
	auto broker = RedactAmqpUrl(url);
	std::vector<char> text(url.begin(), url.end());
	text.push_back('\0');
	amqp_connection_info info{};
	amqp_default_connection_info(&info);
	if (amqp_parse_url(text.data(), &info) != AMQP_STATUS_OK) {
		throw InvalidInputError("not an AMQP URL (amqp://user:password@host:port/vhost): " + broker);
	}
	if (!info.vhost || !*info.vhost) {
		info.vhost =
		    const_cast<char *>("/"); // amqp://host:port/ names the default virtual host, as most clients read it
	}
	auto *state = new State;
	state->connection = amqp_new_connection();
	AmqpConnection connection(state, broker);
	auto *socket = amqp_tcp_socket_new(state->connection);
	if (!socket) {
		throw IOError("cannot create a socket for RabbitMQ at " + broker);
	}
	auto timeout = ToTimeval(connect_timeout);
	int status = amqp_socket_open_noblock(socket, info.host, info.port, &timeout);
	if (status != AMQP_STATUS_OK) {
		throw IOError("cannot connect to RabbitMQ at " + broker + ": " + amqp_error_string2(status));
	}
	// Broker operations (declare, consume) get the same bound, so a broker that stops answering is noticed.
	amqp_set_rpc_timeout(state->connection, &timeout);
	auto login = amqp_login(state->connection, info.vhost, 0, AMQP_DEFAULT_FRAME_SIZE, int(heartbeat.count()),
	                        AMQP_SASL_METHOD_PLAIN, info.user, info.password);
	if (login.reply_type != AMQP_RESPONSE_NORMAL) {
		throw IOError("cannot log in to RabbitMQ at " + broker + ": " + Reason(login));
	}
	return connection;
}

void AmqpConnection::Check(const char *what) {
	auto reply = amqp_get_rpc_reply(state_->connection);
	if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
		throw IOError(std::string("RabbitMQ at ") + broker_ + ": " + what + " failed: " + Reason(reply));
	}
}

void AmqpConnection::OpenChannel(uint16_t channel) {
	amqp_channel_open(state_->connection, channel);
	Check("opening a channel");
}

void AmqpConnection::Qos(uint16_t channel, uint16_t prefetch) {
	amqp_basic_qos(state_->connection, channel, 0, prefetch, false);
	Check("setting the prefetch count");
}

AmqpQueue AmqpConnection::DeclareQueue(uint16_t channel, const std::string &name, bool exclusive, bool auto_delete) {
	auto *ok = amqp_queue_declare(state_->connection, channel, Bytes(name), false, false, exclusive, auto_delete,
	                              amqp_empty_table);
	Check(("declaring the queue " + name).c_str());
	return {ToString(ok->queue), ok->message_count, ok->consumer_count};
}

std::optional<AmqpQueue> AmqpConnection::InspectQueue(uint16_t channel, const std::string &name) {
	auto *ok =
	    amqp_queue_declare(state_->connection, channel, Bytes(name), true, false, false, false, amqp_empty_table);
	auto reply = amqp_get_rpc_reply(state_->connection);
	if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
		return AmqpQueue{ToString(ok->queue), ok->message_count, ok->consumer_count};
	}
	if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
		// 404 NOT_FOUND closes the channel: confirm, and open it again for the next question.
		amqp_channel_close_ok_t close_ok{};
		amqp_send_method(state_->connection, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok);
		OpenChannel(channel);
		return std::nullopt;
	}
	throw IOError("RabbitMQ at " + broker_ + ": looking up the queue " + name + " failed: " + Reason(reply));
}

void AmqpConnection::Consume(uint16_t channel, const std::string &queue, bool no_ack) {
	amqp_basic_consume(state_->connection, channel, Bytes(queue), amqp_empty_bytes, false, no_ack, false,
	                   amqp_empty_table);
	Check(("consuming the queue " + queue).c_str());
}

void AmqpConnection::Publish(uint16_t channel, const AmqpMessage &message) {
	amqp_basic_properties_t properties{};
	properties._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
	properties.content_type = amqp_cstring_bytes("application/json");
	properties.delivery_mode = 1; // transient: requests and replies do not outlive the broker
	auto set = [&](const std::string &value, amqp_flags_t flag, amqp_bytes_t &field) {
		if (!value.empty()) {
			properties._flags |= flag;
			field = Bytes(value);
		}
	};
	set(message.correlation_id, AMQP_BASIC_CORRELATION_ID_FLAG, properties.correlation_id);
	set(message.reply_to, AMQP_BASIC_REPLY_TO_FLAG, properties.reply_to);
	set(message.type, AMQP_BASIC_TYPE_FLAG, properties.type);
	set(message.expiration, AMQP_BASIC_EXPIRATION_FLAG, properties.expiration);
	int status = amqp_basic_publish(state_->connection, channel, amqp_empty_bytes, Bytes(message.routing_key), false,
	                                false, &properties, Bytes(message.body));
	if (status != AMQP_STATUS_OK) {
		throw IOError("RabbitMQ at " + broker_ + ": publishing to " + message.routing_key +
		              " failed: " + amqp_error_string2(status));
	}
}

void AmqpConnection::Ack(uint16_t channel, uint64_t delivery_tag) {
	int status = amqp_basic_ack(state_->connection, channel, delivery_tag, false);
	if (status != AMQP_STATUS_OK) {
		throw IOError("RabbitMQ at " + broker_ + ": acknowledging a message failed: " + amqp_error_string2(status));
	}
}

bool AmqpConnection::HasBuffered() const {
	return amqp_data_in_buffer(state_->connection) || amqp_frames_enqueued(state_->connection);
}

int AmqpConnection::Socket() const {
	return amqp_get_sockfd(state_->connection);
}

std::optional<AmqpDelivery> AmqpConnection::Next(std::chrono::milliseconds timeout) {
	auto connection = state_->connection;
	amqp_maybe_release_buffers(connection);
	amqp_envelope_t envelope{};
	auto wait = ToTimeval(timeout);
	auto reply = amqp_consume_message(connection, &envelope, &wait, 0);
	if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
		AmqpDelivery delivery;
		delivery.channel = envelope.channel;
		delivery.delivery_tag = envelope.delivery_tag;
		delivery.redelivered = envelope.redelivered;
		const auto &properties = envelope.message.properties;
		auto field = [&](amqp_flags_t flag, const amqp_bytes_t &bytes) {
			return (properties._flags & flag) ? ToString(bytes) : std::string();
		};
		delivery.message.routing_key = ToString(envelope.routing_key);
		delivery.message.correlation_id = field(AMQP_BASIC_CORRELATION_ID_FLAG, properties.correlation_id);
		delivery.message.reply_to = field(AMQP_BASIC_REPLY_TO_FLAG, properties.reply_to);
		delivery.message.type = field(AMQP_BASIC_TYPE_FLAG, properties.type);
		delivery.message.body = ToString(envelope.message.body);
		amqp_destroy_envelope(&envelope);
		return delivery;
	}
	if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_TIMEOUT) {
		return std::nullopt;
	}
	if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
		// A method other than a delivery: read it and act on it.
		amqp_frame_t frame{};
		if (amqp_simple_wait_frame(connection, &frame) != AMQP_STATUS_OK) {
			throw IOError("lost the connection to RabbitMQ at " + broker_);
		}
		if (frame.frame_type == AMQP_FRAME_METHOD) {
			switch (frame.payload.method.id) {
			case AMQP_BASIC_ACK_METHOD:
				return std::nullopt;
			case AMQP_BASIC_RETURN_METHOD: {
				amqp_message_t returned{};
				amqp_read_message(connection, frame.channel, &returned, 0);
				amqp_destroy_message(&returned);
				return std::nullopt;
			}
			case AMQP_CHANNEL_CLOSE_METHOD: {
				auto *close = static_cast<amqp_channel_close_t *>(frame.payload.method.decoded);
				throw IOError("RabbitMQ at " + broker_ + " closed a channel: " + ToString(close->reply_text));
			}
			case AMQP_CONNECTION_CLOSE_METHOD: {
				auto *close = static_cast<amqp_connection_close_t *>(frame.payload.method.decoded);
				throw IOError("RabbitMQ at " + broker_ + " closed the connection: " + ToString(close->reply_text));
			}
			default:
				return std::nullopt;
			}
		}
		return std::nullopt;
	}
	throw IOError("lost the connection to RabbitMQ at " + broker_ + ": " + Reason(reply));
}

} // namespace deltaduck::rpc
