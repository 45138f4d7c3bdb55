#pragma once

#include "rpc/amqp_connection.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace deltaduck::rpc {

//! Something for the connection's thread to do: publish a message, then acknowledge a delivery.
struct AmqpOutgoing {
	std::optional<AmqpMessage> message;
	//! (channel, delivery tag) to acknowledge after publishing.
	std::optional<std::pair<uint16_t, uint64_t>> ack;
	//! The connection it belongs to: work for an earlier connection is dropped (its deliveries went back to
	//! the queue when that connection ended).
	uint64_t generation = 0;
};

//! Messages other threads hand to the one thread that owns an AmqpConnection. Push wakes that thread out
//! of Wait at once, so a reply does not wait for a poll timeout.
class AmqpOutbox {
public:
	AmqpOutbox();
	~AmqpOutbox();
	AmqpOutbox(const AmqpOutbox &) = delete;
	AmqpOutbox &operator=(const AmqpOutbox &) = delete;

	//! Thread-safe.
	void Push(AmqpOutgoing outgoing);
	//! Everything pushed so far, in order.
	std::deque<AmqpOutgoing> Take();
	//! Waits until the connection has input, something was pushed, or `timeout` passed.
	void Wait(const AmqpConnection &connection, std::chrono::milliseconds timeout);
	//! Publishes and acknowledges what was pushed for `generation`; drops the rest.
	void Flush(AmqpConnection &connection, uint16_t channel, uint64_t generation);

private:
	std::mutex mutex_;
	std::deque<AmqpOutgoing> queue_;
	int event_fd_ = -1;
};

} // namespace deltaduck::rpc
