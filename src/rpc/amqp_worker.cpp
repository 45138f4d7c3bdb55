#include "rpc/amqp_worker.hpp"

#include "common/error.hpp"
#include "common/json_depth.hpp"
#include "common/log.hpp"
#include "rpc/amqp_outbox.hpp"
#include "rpc/amqp_protocol.hpp"
#include "rpc/request_priority.hpp"
#include "worker/reply.hpp"

#include <condition_variable>
#include <cstdlib>
#include <map>
#include <thread>

namespace deltaduck::rpc {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {
constexpr uint16_t SHARED_CHANNEL = 1;
constexpr uint16_t OWN_CHANNEL = 2;
} // namespace

struct AmqpWorker::Impl {
	AmqpWorkerOptions options;
	RoleHandler handler;
	AmqpOutbox outbox;

	//! A request this worker runs.
	struct Running {
		std::string request_id;
		std::string reply_to;
		uint16_t channel = 0;
		uint64_t delivery_tag = 0;
		uint64_t generation = 0;
		Clock::time_point started = Clock::now();
		std::optional<Clock::time_point> interrupted;
		//! The thread running it, and whether it was given a lower priority (see DEMOTE_AFTER).
		pid_t thread_id = 0;
		bool demoted = false;
	};
	mutable std::mutex mutex;
	std::condition_variable ended;
	std::map<std::string, Running> running; // by run id (the correlation id)
	//! Request threads still alive (a request whose connection went away may still be ending).
	size_t threads = 0;
	Clock::time_point last_status = Clock::now();

	Impl(AmqpWorkerOptions options_p, RoleHandler handler_p)
	    : options(std::move(options_p)), handler(std::move(handler_p)) {
	}

	AmqpMessage Message(const std::string &reply_to, const std::string &run_id, const char *type, std::string body) {
		return {reply_to, run_id, "", type, "", std::move(body)};
	}

	void OnDelivery(const AmqpDelivery &delivery, uint64_t generation);
	void Start(const AmqpDelivery &delivery, json request, uint64_t generation);
	//! Sends DuckDB's progress of running requests, and gives up on one that ignored interruption too long.
	void Watch(AmqpConnection &connection, uint64_t generation);
	void Serve(AmqpConnection &connection, uint64_t generation, const std::atomic<bool> &stop,
	           const std::function<void()> &on_ready);
};

AmqpWorker::AmqpWorker(AmqpWorkerOptions options, RoleHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
}

AmqpWorker::~AmqpWorker() {
	// Request threads use the handler and the outbox: wait for the last one.
	std::unique_lock<std::mutex> lock(impl_->mutex);
	impl_->ended.wait(lock, [&] { return impl_->threads == 0; });
}

size_t AmqpWorker::InFlight() const {
	std::lock_guard<std::mutex> lock(impl_->mutex);
	return impl_->running.size();
}

void AmqpWorker::Impl::OnDelivery(const AmqpDelivery &delivery, uint64_t generation) {
	const auto &message = delivery.message;
	if (message.type == AMQP_CANCEL) {
		{
			std::lock_guard<std::mutex> lock(mutex);
			auto it = running.find(message.correlation_id);
			if (it != running.end() && !it->second.interrupted) {
				it->second.interrupted = Clock::now();
			}
		}
		handler.cancel(message.correlation_id);
		outbox.Push({std::nullopt, std::make_pair(delivery.channel, delivery.delivery_tag), generation});
		return;
	}
	auto request = JsonDepthWithin(message.body) ? json::parse(message.body, nullptr, false) : json();
	std::optional<std::string> refusal;
	if (!request.is_object()) {
		refusal = "the request is not a JSON object";
	} else if (message.correlation_id.empty() || message.reply_to.empty()) {
		refusal = "the request has no correlation id or reply queue";
	} else {
		std::lock_guard<std::mutex> lock(mutex);
		if (running.count(message.correlation_id)) {
			refusal = "a request with this id already runs on this worker";
		}
	}
	if (refusal) {
		if (!message.reply_to.empty()) {
			auto reply = worker::ErrorReply(handler.role, worker::RequestId(request), InvalidInputError(*refusal));
			outbox.Push(
			    {Message(message.reply_to, message.correlation_id, AMQP_MESSAGE, reply), std::nullopt, generation});
			outbox.Push({Message(message.reply_to, message.correlation_id, AMQP_END, "{}"), std::nullopt, generation});
		}
		outbox.Push({std::nullopt, std::make_pair(delivery.channel, delivery.delivery_tag), generation});
		return;
	}
	if (delivery.redelivered) {
		// Another worker took it and went away before answering: the handler decides whether running it again
		// is safe (reads and idempotent ingests are; anything else is refused).
		request["request_args"]["redelivered"] = true;
	}
	Start(delivery, std::move(request), generation);
}

void AmqpWorker::Impl::Start(const AmqpDelivery &delivery, json request, uint64_t generation) {
	const auto &message = delivery.message;
	auto run_id = message.correlation_id;
	auto reply_to = message.reply_to;
	{
		std::lock_guard<std::mutex> lock(mutex);
		Running entry;
		entry.request_id = worker::RequestId(request);
		entry.reply_to = reply_to;
		entry.channel = delivery.channel;
		entry.delivery_tag = delivery.delivery_tag;
		entry.generation = generation;
		running[run_id] = entry;
	}
	outbox.Push(
	    {Message(reply_to, run_id, AMQP_STARTED, json{{"worker", handler.worker_id}, {"role", handler.role}}.dump()),
	     std::nullopt, generation});
	std::pair<uint16_t, uint64_t> ack{delivery.channel, delivery.delivery_tag};
	{
		std::lock_guard<std::mutex> lock(mutex);
		threads++;
	}
	std::thread([this, run_id, reply_to, request = std::move(request), ack, generation] {
		{
			std::lock_guard<std::mutex> lock(mutex);
			auto it = running.find(run_id);
			if (it != running.end()) {
				it->second.thread_id = CurrentThreadId();
			}
		}
		handler.handle(
		    request,
		    [&](std::string text) {
			    outbox.Push({Message(reply_to, run_id, AMQP_MESSAGE, std::move(text)), std::nullopt, generation});
		    },
		    run_id);
		std::lock_guard<std::mutex> lock(mutex);
		// Acknowledged after the last reply: a worker that dies before has its request delivered again.
		// (Unless the watchdog already answered it, or the connection it came on is gone.)
		auto it = running.find(run_id);
		if (it != running.end() && it->second.generation == generation) {
			running.erase(it);
			outbox.Push({Message(reply_to, run_id, AMQP_END, "{}"), ack, generation});
		}
		threads--;
		ended.notify_all();
	}).detach();
}

void AmqpWorker::Impl::Watch(AmqpConnection &connection, uint64_t generation) {
	auto now = Clock::now();
	std::vector<std::pair<std::string, Running>> snapshot;
	{
		std::lock_guard<std::mutex> lock(mutex);
		snapshot.assign(running.begin(), running.end());
	}
	bool send_status = now - last_status >= std::chrono::seconds(1);
	if (send_status) {
		last_status = now;
	}
	for (const auto &[run_id, entry] : snapshot) {
		if (entry.generation != generation) {
			continue;
		}
		if (!entry.demoted && entry.thread_id && now - entry.started > DEMOTE_AFTER) {
			std::lock_guard<std::mutex> lock(mutex);
			auto it = running.find(run_id);
			if (it != running.end() && !it->second.demoted) {
				it->second.demoted = true;
				DemoteThread(it->second.thread_id);
			}
		}
		bool overdue = now - entry.started > options.time_limit + options.grace ||
		               (entry.interrupted && now - *entry.interrupted > options.grace);
		if (overdue) {
			auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.grace).count();
			auto reply =
			    worker::ErrorReply(handler.role, entry.request_id,
			                       TimeoutError("the request ignored interruption for " + std::to_string(seconds) +
			                                    " s; its worker " + handler.worker_id + " restarts to stop it"));
			{
				std::lock_guard<std::mutex> lock(mutex);
				running.erase(run_id);
			}
			outbox.Push({Message(entry.reply_to, run_id, AMQP_MESSAGE, reply), std::nullopt, generation});
			outbox.Push({Message(entry.reply_to, run_id, AMQP_END, "{}"),
			             std::make_pair(entry.channel, entry.delivery_tag), generation});
			outbox.Flush(connection, SHARED_CHANNEL, generation);
			LogLine({{"event", "worker_restart"},
			         {"worker", handler.worker_id},
			         {"run_id", run_id},
			         {"message", "a request ignored interruption past the grace period"}});
			std::_Exit(EXIT_RESTART);
		}
		if (send_status) {
			auto progress = handler.progress(run_id);
			if (progress && *progress >= 0) {
				outbox.Push({Message(entry.reply_to, run_id, AMQP_STATUS, json{{"progress", *progress}}.dump()),
				             std::nullopt, generation});
			}
		}
	}
}

void AmqpWorker::Impl::Serve(AmqpConnection &connection, uint64_t generation, const std::atomic<bool> &stop,
                             const std::function<void()> &on_ready) {
	connection.OpenChannel(SHARED_CHANNEL);
	connection.Qos(SHARED_CHANNEL, options.prefetch);
	connection.DeclareQueue(SHARED_CHANNEL, SharedQueue(handler.role), false, false);
	connection.OpenChannel(OWN_CHANNEL);
	connection.Qos(OWN_CHANNEL, 0);
	// Auto-deleted: the queue goes with the worker's last consumer, so a request for a worker that is gone finds
	// no queue and fails at once. (Not exclusive: other connections could not even look it up.)
	connection.DeclareQueue(OWN_CHANNEL, OwnQueue(handler.role, handler.worker_id), false, true);
	connection.Consume(SHARED_CHANNEL, SharedQueue(handler.role), false);
	connection.Consume(OWN_CHANNEL, OwnQueue(handler.role, handler.worker_id), false);
	if (on_ready) {
		on_ready();
	}
	auto serve_once = [&](std::chrono::milliseconds wait) {
		outbox.Wait(connection, wait);
		outbox.Flush(connection, SHARED_CHANNEL, generation);
		while (auto delivery = connection.Next(std::chrono::milliseconds(0))) {
			OnDelivery(*delivery, generation);
			outbox.Flush(connection, SHARED_CHANNEL, generation);
		}
		Watch(connection, generation);
	};
	while (!stop) {
		serve_once(std::chrono::milliseconds(200));
	}
	// Stopping: take nothing new (the unacknowledged prefetch goes back to the queue when the connection
	// closes), let running requests finish and answer.
	while (true) {
		{
			std::lock_guard<std::mutex> lock(mutex);
			if (running.empty()) {
				break;
			}
		}
		outbox.Wait(connection, std::chrono::milliseconds(100));
		outbox.Flush(connection, SHARED_CHANNEL, generation);
		Watch(connection, generation);
	}
	outbox.Flush(connection, SHARED_CHANNEL, generation);
}

void AmqpWorker::Run(const std::atomic<bool> &stop, const std::function<void()> &on_ready) {
	auto &impl = *impl_;
	auto backoff = impl.options.backoff;
	uint64_t generation = 0;
	while (!stop) {
		generation++;
		try {
			auto connection = AmqpConnection::Open(impl.options.url, impl.options.heartbeat, std::chrono::seconds(5));
			backoff = impl.options.backoff;
			impl.Serve(connection, generation, stop, on_ready);
			return;
		} catch (const Error &e) {
			LogLine({{"event", "amqp_disconnected"},
			         {"worker", impl.handler.worker_id},
			         {"message", e.what()},
			         {"retry_ms", backoff.count()}});
		}
		// The broker gives this connection's unacknowledged requests to other workers: stop running them here.
		std::vector<std::string> orphans;
		{
			std::lock_guard<std::mutex> lock(impl.mutex);
			for (auto it = impl.running.begin(); it != impl.running.end();) {
				orphans.push_back(it->first);
				it = impl.running.erase(it);
			}
		}
		for (const auto &run_id : orphans) {
			impl.handler.cancel(run_id);
		}
		auto until = Clock::now() + backoff;
		while (!stop && Clock::now() < until) {
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
		backoff = std::min(backoff * 2, impl.options.max_backoff);
	}
}

} // namespace deltaduck::rpc
