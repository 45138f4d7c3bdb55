#include "rpc/amqp_outbox.hpp"

#include "common/error.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <utility>

namespace deltaduck::rpc {

AmqpOutbox::AmqpOutbox() : event_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
	if (event_fd_ < 0) {
		throw IOError("cannot create an eventfd for the AMQP connection's thread");
	}
}

AmqpOutbox::~AmqpOutbox() {
	close(event_fd_);
}

void AmqpOutbox::Push(AmqpOutgoing outgoing) {
	{
		std::lock_guard<std::mutex> lock(mutex_);
		queue_.push_back(std::move(outgoing));
	}
	uint64_t one = 1;
	[[maybe_unused]] auto written = write(event_fd_, &one, sizeof(one));
}

std::deque<AmqpOutgoing> AmqpOutbox::Take() {
	uint64_t count = 0;
	[[maybe_unused]] auto read_bytes = read(event_fd_, &count, sizeof(count));
	std::lock_guard<std::mutex> lock(mutex_);
	return std::exchange(queue_, {});
}

void AmqpOutbox::Wait(const AmqpConnection &connection, std::chrono::milliseconds timeout) {
	if (connection.HasBuffered()) {
		return;
	}
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (!queue_.empty()) {
			return;
		}
	}
	pollfd fds[2] = {{connection.Socket(), POLLIN, 0}, {event_fd_, POLLIN, 0}};
	poll(fds, 2, int(timeout.count()));
}

void AmqpOutbox::Flush(AmqpConnection &connection, uint16_t channel, uint64_t generation) {
	for (auto &outgoing : Take()) {
		if (outgoing.generation != generation) {
			continue;
		}
		if (outgoing.message) {
			connection.Publish(channel, *outgoing.message);
		}
		if (outgoing.ack) {
			connection.Ack(outgoing.ack->first, outgoing.ack->second);
		}
	}
}

} // namespace deltaduck::rpc
