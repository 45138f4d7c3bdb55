#include "rpc/amqp_dispatcher.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "rpc/amqp_outbox.hpp"
#include "rpc/amqp_protocol.hpp"
#include "worker/reply.hpp"

#include <condition_variable>
#include <future>
#include <map>
#include <thread>

namespace deltaduck::rpc {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint16_t CHANNEL = 1;
//! Passive declares may close their channel (404): they get one of their own.
constexpr uint16_t INSPECT_CHANNEL = 2;

//! A request waiting for its replies.
struct PendingCall {
	std::string role;
	std::string request_id;
	worker::Send send;
	std::string worker;
	std::optional<double> progress;
	bool cancel_requested = false;
	//! When the worker's own queue was first found gone (the worker died); a redelivery clears it.
	std::optional<Clock::time_point> worker_gone_since;
	bool done = false;
	//! Why it ended without its worker's last message (connection lost, cancelled while queued).
	std::optional<std::string> failure;
	ErrorType failure_type = ErrorType::IO;
	uint64_t generation = 0;
	std::condition_variable changed;
};

class AmqpDispatcher final : public Dispatcher {
public:
	AmqpDispatcher(AmqpDispatcherOptions options, std::function<json()> workers)
	    : options_(std::move(options)), workers_(std::move(workers)), thread_([this] { Loop(); }) {
	}

	~AmqpDispatcher() override {
		stop_ = true;
		outbox_.Push({});
		thread_.join();
	}

	std::string Call(const std::string &role, const json &request, const std::string &run_id,
	                 const worker::Send &send) override {
		auto node = TargetNode(request);
		auto queue = node.empty() ? SharedQueue(role) : OwnQueue(role, node);
		auto generation = AwaitConnection();
		CheckConsumed(role, node, queue);
		json sent = request;
		if (role == "delta" && worker::Field(sent, "request_endpoint") == "ingestdata" &&
		    worker::Field(worker::Field(sent, "request_args"), "txn_app_id").is_null()) {
			// A worker that dies after committing has its ingest delivered again: the txn makes the second run a
			// no-op instead of a second copy of the rows.
			sent["request_args"]["txn_app_id"] = "deltaduck-ingest-" + run_id + "-" + std::to_string(generation) + "-" +
			                                     std::to_string(Clock::now().time_since_epoch().count());
			sent["request_args"]["txn_version"] = 0;
		}
		auto call = std::make_shared<PendingCall>();
		call->role = role;
		call->request_id = worker::RequestId(request);
		call->send = send;
		call->generation = generation;
		std::unique_lock<std::mutex> lock(mutex_);
		pending_[run_id] = call;
		lock.unlock();
		AmqpMessage message{
		    queue, run_id, reply_queue_, AMQP_REQUEST, std::to_string(options_.request_timeout.count()), sent.dump()};
		outbox_.Push({std::move(message), std::nullopt, generation});
		lock.lock();
		bool finished = call->changed.wait_for(lock, options_.request_timeout, [&] { return call->done; });
		pending_.erase(run_id);
		if (!finished) {
			lock.unlock();
			SendCancel(*call, run_id);
			throw TimeoutError("no answer from the " + role + " workers within " +
			                   std::to_string(options_.request_timeout.count() / 1000) + " s");
		}
		if (call->failure) {
			ThrowError(call->failure_type, *call->failure);
		}
		return call->worker;
	}

	bool Cancel(const std::string &role, const std::string &run_id) override {
		std::unique_lock<std::mutex> lock(mutex_);
		auto it = pending_.find(run_id);
		if (it == pending_.end() || it->second->role != role) {
			return false;
		}
		auto call = it->second;
		call->cancel_requested = true;
		if (call->worker.empty()) {
			// Still waiting in a queue: end the call now; a worker that takes it later is told to stop.
			call->failure = "cancelled before a worker took the request";
			call->failure_type = ErrorType::INTERRUPTED;
			call->done = true;
			call->changed.notify_all();
			return true;
		}
		lock.unlock();
		SendCancel(*call, run_id);
		return true;
	}

	std::optional<double> Progress(const std::string &, const std::string &run_id) override {
		std::lock_guard<std::mutex> lock(mutex_);
		auto it = pending_.find(run_id);
		return it == pending_.end() ? std::nullopt : it->second->progress;
	}

	json Workers() override {
		if (workers_) {
			return workers_();
		}
		auto list = json::array();
		for (const auto *role : {"duck", "delta"}) {
			std::optional<AmqpQueue> queue;
			try {
				queue = Inspect(SharedQueue(role), std::chrono::seconds(2));
			} catch (const Error &) {
			}
			list.push_back({{"id", SharedQueue(role)},
			                {"role", role},
			                {"transport", "amqp"},
			                {"status", queue && queue->consumers ? "up" : "down"},
			                {"consumers", queue ? queue->consumers : 0},
			                {"queued", queue ? queue->messages : 0}});
		}
		return list;
	}

private:
	void SendCancel(const PendingCall &call, const std::string &run_id) {
		std::string worker;
		uint64_t generation;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			worker = call.worker;
			generation = generation_;
		}
		if (!worker.empty()) {
			outbox_.Push({AmqpMessage{OwnQueue(call.role, worker), run_id, reply_queue_, AMQP_CANCEL, "", "{}"},
			              std::nullopt, generation});
		}
	}

	//! Waits for a live connection; returns its generation.
	uint64_t AwaitConnection() {
		std::unique_lock<std::mutex> lock(mutex_);
		if (!connected_.wait_for(lock, options_.connect_wait, [&] { return connected_now_; })) {
			throw IOError("RabbitMQ is not reachable at " + RedactAmqpUrl(options_.url) + ": " + last_error_);
		}
		return generation_;
	}

	//! The queue as the broker sees it (asked on the connection's thread), or nothing if it does not exist.
	std::optional<AmqpQueue> Inspect(const std::string &queue, std::chrono::milliseconds wait) {
		auto promise = std::make_shared<std::promise<std::optional<AmqpQueue>>>();
		auto future = promise->get_future();
		{
			std::lock_guard<std::mutex> lock(mutex_);
			tasks_.push_back([promise, queue](AmqpConnection &connection) {
				try {
					promise->set_value(connection.InspectQueue(INSPECT_CHANNEL, queue));
				} catch (...) {
					promise->set_exception(std::current_exception());
				}
			});
		}
		outbox_.Push({});
		if (future.wait_for(wait) != std::future_status::ready) {
			throw IOError("RabbitMQ at " + RedactAmqpUrl(options_.url) + " did not answer in time");
		}
		try {
			return future.get();
		} catch (const std::future_error &) {
			throw IOError("lost the connection to RabbitMQ at " + RedactAmqpUrl(options_.url));
		}
	}

	//! Fails at once when nobody would take the request.
	void CheckConsumed(const std::string &role, const std::string &node, const std::string &queue) {
		{
			std::lock_guard<std::mutex> lock(mutex_);
			auto seen = consumed_.find(queue);
			if (seen != consumed_.end() && Clock::now() - seen->second < std::chrono::seconds(1)) {
				return;
			}
		}
		auto found = Inspect(queue, options_.connect_wait);
		if (!found || found->consumers == 0) {
			if (!node.empty()) {
				throw NotFoundError("no " + role + " worker named " + node + " (its queue " + queue +
				                    (found ? " has no consumer)" : " does not exist)"));
			}
			throw NotFoundError("no " + role + " worker is running: nobody consumes the queue " + queue);
		}
		std::lock_guard<std::mutex> lock(mutex_);
		consumed_[queue] = Clock::now();
	}

	void OnReply(const AmqpDelivery &delivery) {
		const auto &message = delivery.message;
		std::unique_lock<std::mutex> lock(mutex_);
		auto it = pending_.find(message.correlation_id);
		if (it == pending_.end()) {
			if (message.type == AMQP_STARTED) {
				// The caller gave up (timeout, cancel while queued): tell the worker to stop.
				auto started = json::parse(message.body, nullptr, false);
				if (started.is_object()) {
					outbox_.Push({AmqpMessage{OwnQueue(started.value("role", ""), started.value("worker", "")),
					                          message.correlation_id, reply_queue_, AMQP_CANCEL, "", "{}"},
					              std::nullopt, generation_});
				}
			}
			return;
		}
		auto call = it->second;
		if (message.type == AMQP_STARTED) {
			call->worker = json::parse(message.body, nullptr, false).value("worker", "");
			call->worker_gone_since.reset();
			if (call->cancel_requested) {
				lock.unlock();
				SendCancel(*call, message.correlation_id);
			}
		} else if (message.type == AMQP_STATUS) {
			auto status = json::parse(message.body, nullptr, false);
			if (status.is_object() && status["progress"].is_number()) {
				call->progress = status["progress"].get<double>();
			}
		} else if (message.type == AMQP_MESSAGE) {
			lock.unlock();
			call->send(message.body);
		} else if (message.type == AMQP_END) {
			call->done = true;
			call->changed.notify_all();
		}
	}

	//! Fails calls whose worker died: its own queue is gone and no other worker took the request since.
	void CheckWorkersAlive(AmqpConnection &connection) {
		std::vector<std::pair<std::string, std::shared_ptr<PendingCall>>> calls;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			for (const auto &[run_id, call] : pending_) {
				if (!call->worker.empty() && !call->done) {
					calls.emplace_back(run_id, call);
				}
			}
		}
		auto now = Clock::now();
		for (const auto &[run_id, call] : calls) {
			std::string worker;
			{
				std::lock_guard<std::mutex> lock(mutex_);
				worker = call->worker;
			}
			bool alive = connection.InspectQueue(INSPECT_CHANNEL, OwnQueue(call->role, worker)).has_value();
			std::lock_guard<std::mutex> lock(mutex_);
			if (alive || call->worker != worker) {
				call->worker_gone_since.reset();
				continue;
			}
			if (!call->worker_gone_since) {
				call->worker_gone_since = now;
			} else if (now - *call->worker_gone_since > std::chrono::seconds(5)) {
				call->failure = "the " + call->role + " worker " + worker +
				                " stopped while running this request, and no other worker took it over";
				call->failure_type = ErrorType::IO;
				call->done = true;
				call->changed.notify_all();
			}
		}
	}

	void FailPending(uint64_t generation, const std::string &why) {
		std::lock_guard<std::mutex> lock(mutex_);
		for (auto &[run_id, call] : pending_) {
			if (call->generation == generation && !call->done) {
				call->failure = why;
				call->failure_type = ErrorType::IO;
				call->done = true;
				call->changed.notify_all();
			}
		}
	}

	void Serve(AmqpConnection &connection, uint64_t generation) {
		connection.OpenChannel(CHANNEL);
		connection.OpenChannel(INSPECT_CHANNEL);
		auto queue = connection.DeclareQueue(CHANNEL, "", true, true);
		connection.Consume(CHANNEL, queue.name, true);
		{
			std::lock_guard<std::mutex> lock(mutex_);
			reply_queue_ = queue.name;
			generation_ = generation;
			connected_now_ = true;
			consumed_.clear();
		}
		connected_.notify_all();
		auto last_check = Clock::now();
		while (!stop_) {
			if (Clock::now() - last_check > std::chrono::seconds(1)) {
				last_check = Clock::now();
				CheckWorkersAlive(connection);
			}
			outbox_.Wait(connection, std::chrono::milliseconds(500));
			outbox_.Flush(connection, CHANNEL, generation);
			std::deque<std::function<void(AmqpConnection &)>> tasks;
			{
				std::lock_guard<std::mutex> lock(mutex_);
				tasks.swap(tasks_);
			}
			for (auto &task : tasks) {
				task(connection);
			}
			while (auto delivery = connection.Next(std::chrono::milliseconds(0))) {
				OnReply(*delivery);
			}
		}
	}

	void Loop() {
		auto backoff = std::chrono::milliseconds(100);
		uint64_t generation = 0;
		while (!stop_) {
			generation++;
			try {
				auto connection = AmqpConnection::Open(options_.url, options_.heartbeat, std::chrono::seconds(5));
				backoff = std::chrono::milliseconds(100);
				Serve(connection, generation);
			} catch (const Error &e) {
				{
					std::lock_guard<std::mutex> lock(mutex_);
					connected_now_ = false;
					last_error_ = e.what();
				}
				LogLine({{"event", "amqp_disconnected"}, {"message", e.what()}, {"retry_ms", backoff.count()}});
			}
			FailPending(generation, "lost the connection to RabbitMQ at " + RedactAmqpUrl(options_.url) +
			                            " while the request ran; it may or may not have finished");
			// Tasks queued for the lost connection get an answer too.
			std::deque<std::function<void(AmqpConnection &)>> tasks;
			{
				std::lock_guard<std::mutex> lock(mutex_);
				tasks.swap(tasks_);
			}
			tasks.clear();
			auto until = Clock::now() + backoff;
			while (!stop_ && Clock::now() < until) {
				std::this_thread::sleep_for(std::chrono::milliseconds(20));
			}
			backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
		}
	}

	AmqpDispatcherOptions options_;
	std::function<json()> workers_;
	AmqpOutbox outbox_;
	std::mutex mutex_;
	std::condition_variable connected_;
	bool connected_now_ = false;
	std::string last_error_ = "not connected yet";
	uint64_t generation_ = 0;
	std::string reply_queue_;
	std::map<std::string, std::shared_ptr<PendingCall>> pending_;
	std::map<std::string, Clock::time_point> consumed_;
	std::deque<std::function<void(AmqpConnection &)>> tasks_;
	std::atomic<bool> stop_{false};
	std::thread thread_;
};

} // namespace

std::unique_ptr<Dispatcher> OpenAmqpDispatcher(AmqpDispatcherOptions options, std::function<json()> workers) {
	return std::make_unique<AmqpDispatcher>(std::move(options), std::move(workers));
}

} // namespace deltaduck::rpc
