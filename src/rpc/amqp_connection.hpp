#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace deltaduck::rpc {

//! An AMQP message as DeltaDuck uses it: a JSON body and the properties of RPC over queues.
struct AmqpMessage {
	//! The queue it goes to (default exchange) or came through.
	std::string routing_key;
	std::string correlation_id;
	std::string reply_to;
	//! What the message is (request, cancel, started, status, message, end).
	std::string type;
	//! Milliseconds the broker keeps it waiting in a queue before dropping it (empty: forever).
	std::string expiration;
	std::string body;
};

//! A message a consumer received; acknowledge it by its tag on its channel.
struct AmqpDelivery {
	uint16_t channel = 0;
	uint64_t delivery_tag = 0;
	//! The broker delivered it before, to a consumer that went away without acknowledging it.
	bool redelivered = false;
	AmqpMessage message;
};

//! A queue as the broker reports it.
struct AmqpQueue {
	std::string name;
	uint32_t messages = 0;
	uint32_t consumers = 0;
};

//! `amqp://user:password@host:port/vhost` with the password left out, for messages and logs.
std::string RedactAmqpUrl(const std::string &url);

//! One connection to a RabbitMQ broker (rabbitmq-c), owned by one thread: rabbitmq-c is not thread-safe.
//! Every failure of the connection is an IOError naming the broker (never its password).
class AmqpConnection {
public:
	//! Connects and logs in, asking for heartbeats every `heartbeat`.
	static AmqpConnection Open(const std::string &url, std::chrono::seconds heartbeat,
	                           std::chrono::milliseconds connect_timeout);
	AmqpConnection(AmqpConnection &&other) noexcept;
	AmqpConnection &operator=(AmqpConnection &&other) noexcept;
	AmqpConnection(const AmqpConnection &) = delete;
	AmqpConnection &operator=(const AmqpConnection &) = delete;
	~AmqpConnection();

	void OpenChannel(uint16_t channel);
	//! At most `prefetch` unacknowledged deliveries per consumer on the channel (0: no limit).
	void Qos(uint16_t channel, uint16_t prefetch);
	//! Declares a queue (an empty name lets the broker choose one) and returns it.
	AmqpQueue DeclareQueue(uint16_t channel, const std::string &name, bool exclusive, bool auto_delete);
	//! The queue if it exists (a passive declare). The broker closes the channel when it does not; it is
	//! reopened.
	std::optional<AmqpQueue> InspectQueue(uint16_t channel, const std::string &name);
	void Consume(uint16_t channel, const std::string &queue, bool no_ack);
	//! Publishes to the queue named by the message's routing key.
	void Publish(uint16_t channel, const AmqpMessage &message);
	void Ack(uint16_t channel, uint64_t delivery_tag);
	//! The next delivery, waiting up to `timeout`; nothing when none came. Heartbeats are served while it waits.
	std::optional<AmqpDelivery> Next(std::chrono::milliseconds timeout);
	//! Whether frames are already read and waiting (poll on Socket() would not see them).
	bool HasBuffered() const;
	//! The socket, to wait on with poll().
	int Socket() const;
	//! The broker's address, without the password.
	const std::string &Broker() const {
		return broker_;
	}

private:
	struct State;
	AmqpConnection(State *state, std::string broker);
	void Check(const char *what);
	State *state_ = nullptr;
	std::string broker_;
};

} // namespace deltaduck::rpc
