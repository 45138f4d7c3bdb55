#include "gateway/router.hpp"

#include "common/error.hpp"
#include "common/json_depth.hpp"
#include "gateway/openapi.hpp"
#include "worker/held_results.hpp"
#include "worker/reply.hpp"

#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace deltaduck::gateway {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const std::set<std::string> DUCK_ENDPOINTS = {"querydata",   "fetchrows", "checktable", "tabledetails", "complete",
                                              "duckconnect", "cancel",    "jobstatus",  "attach",       "ping"};
const std::set<std::string> DELTA_ENDPOINTS = {"ingestdata", "listfolders", "cancel", "jobstatus", "attach", "ping"};

std::string RandomId() {
	static std::mutex mutex;
	static std::mt19937_64 random{std::random_device{}()};
	std::lock_guard<std::mutex> lock(mutex);
	char text[17];
	std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(random()));
	return text;
}

//! What a worker message is. Progress and held messages are small objects; anything else is the reply.
enum class MessageKind { PROGRESS, HELD, REPLY };
MessageKind KindOf(const std::string &message, json *parsed = nullptr) {
	if (message.size() > 4096) {
		return MessageKind::REPLY;
	}
	auto object = json::parse(message, nullptr, false);
	auto kind = object.contains("progress") ? MessageKind::PROGRESS
	            : object.contains("held")   ? MessageKind::HELD
	                                        : MessageKind::REPLY;
	if (parsed) {
		*parsed = std::move(object);
	}
	return kind;
}

//! The error type of a reply, or empty when it is not an error. Replies put `error` after their head.
std::string ErrorTypeOf(const std::string &message) {
	auto at = message.find("\"error\":{\"type\":\"");
	if (at == std::string::npos || at > 512) {
		return "";
	}
	auto start = at + 17;
	return message.substr(start, message.find('"', start) - start);
}

std::string Outcome(const std::string &error_type) {
	return error_type.empty()            ? "ok"
	       : error_type == "Interrupted" ? "cancelled"
	       : error_type == "Busy"        ? "busy"
	                                     : "error";
}

unsigned HttpStatusFor(const std::string &error_type) {
	static const std::map<std::string, unsigned> STATUS = {
	    {"InvalidInput", 400}, {"NotFound", 404},    {"AlreadyExists", 409}, {"Conflict", 409},
	    {"Unsupported", 400},  {"Permission", 403},  {"Interrupted", 409},   {"Timeout", 504},
	    {"Busy", 503},         {"OutOfMemory", 507}, {"Corrupt", 500},       {"IO", 500}};
	auto it = STATUS.find(error_type);
	return error_type.empty() ? 200 : it == STATUS.end() ? 500 : it->second;
}

//! Replies carry request_id as text; a client that sent a number gets its number back (first occurrence: the
//! reply's head).
std::string EchoNumericId(std::string message, const json &id) {
	if (!id.is_number()) {
		return message;
	}
	auto text = id.dump();
	auto quoted = "\"request_id\":\"" + text + "\"";
	auto at = message.find(quoted);
	if (at != std::string::npos && at < 512) {
		message.replace(at, quoted.size(), "\"request_id\":" + text);
	}
	return message;
}

//! Adds `"job_id": id` to a message object.
std::string WithJobId(const std::string &message, const std::string &job_id) {
	if (message.empty() || message[0] != '{') {
		return message;
	}
	return "{\"job_id\":\"" + job_id + "\"," + message.substr(1);
}

//! A row count from the reply for the log (the last `row_count` written), if cheap to find.
std::string RowsForLog(const std::string &reply) {
	auto at = reply.rfind("\"row_count\":");
	if (at == std::string::npos) {
		return "null";
	}
	auto start = at + 12;
	auto end = reply.find_first_not_of("0123456789", start);
	return end == start ? "null" : reply.substr(start, end - start);
}

HttpResponse JsonResponse(unsigned status, std::string body) {
	HttpResponse response;
	response.status = status;
	response.body = std::move(body);
	return response;
}

} // namespace

struct Router::Impl {
	RouterOptions options;
	Dispatcher &dispatcher;
	std::shared_ptr<worker::HeldResults> held;
	Metrics &metrics;
	Submit submit;

	//! A request running for a socket.
	struct Run {
		std::string role;
		std::string client_id;
		uint64_t peer = 0;
		//! Cancelled (by the client, or its socket closed): it does not start, or is stopped once it has.
		bool cancelled = false;
	};
	struct Job {
		std::string id;
		std::string role;
		std::string endpoint;
		std::string request_id;
		std::string run_id;
		Clock::time_point started = Clock::now();
		std::optional<Clock::time_point> finished;
		std::string state = "running";
		std::string reply;
		std::string held;
		std::vector<std::weak_ptr<Peer>> subscribers;
	};

	mutable std::mutex mutex;
	std::condition_variable idle;
	size_t running = 0;
	std::map<std::string, Run> runs;             // run id -> request
	std::map<uint64_t, size_t> socket_in_flight; // peer -> running requests
	std::map<std::string, std::shared_ptr<Job>> jobs;
	std::map<uint64_t, std::string> session_workers; // peer -> the duck worker holding its session
	std::set<uint64_t> sessions_deciding;            // peers whose first request is choosing their worker
	std::condition_variable session_decided;
	//! Draining for shutdown: no new request starts.
	bool stopping = false;
	//! Runs cancelled before their worker registered them: the cancel is repeated until it lands or they end.
	std::set<std::string> unconfirmed_cancels;
	std::condition_variable cancels_changed;
	bool closing = false;
	std::thread canceller;
	uint64_t next_run = 0;
	std::mutex log_mutex;

	Impl(RouterOptions options_p, Dispatcher &dispatcher_p, std::shared_ptr<worker::HeldResults> held_p,
	     Metrics &metrics_p, Submit submit_p)
	    : options(std::move(options_p)), dispatcher(dispatcher_p), held(std::move(held_p)), metrics(metrics_p),
	      submit(std::move(submit_p)) {
		canceller = std::thread([this] { RepeatCancels(); });
	}
	~Impl() {
		{
			std::lock_guard<std::mutex> lock(mutex);
			closing = true;
		}
		cancels_changed.notify_all();
		canceller.join();
	}

	//! Marks a run cancelled and asks its worker to stop it; a worker that has not registered it yet is asked
	//! again until it has, or the run ended (a cancel right after the request must not be lost).
	void CancelRun(const std::string &run_id) {
		std::string role;
		{
			std::lock_guard<std::mutex> lock(mutex);
			auto it = runs.find(run_id);
			if (it == runs.end()) {
				return;
			}
			it->second.cancelled = true;
			role = it->second.role;
		}
		if (!dispatcher.Cancel(role, run_id)) {
			std::lock_guard<std::mutex> lock(mutex);
			unconfirmed_cancels.insert(run_id);
			cancels_changed.notify_all();
		}
	}

	void RepeatCancels() {
		std::unique_lock<std::mutex> lock(mutex);
		while (!closing) {
			cancels_changed.wait_for(lock, std::chrono::milliseconds(10));
			for (auto it = unconfirmed_cancels.begin(); it != unconfirmed_cancels.end();) {
				auto run = runs.find(*it);
				if (run == runs.end()) {
					it = unconfirmed_cancels.erase(it);
					continue;
				}
				auto role = run->second.role;
				auto run_id = *it;
				lock.unlock();
				bool landed = dispatcher.Cancel(role, run_id);
				lock.lock();
				it = landed ? unconfirmed_cancels.erase(unconfirmed_cancels.find(run_id)) : std::next(it);
			}
		}
	}

	std::string NewRunId(const char *prefix) {
		std::lock_guard<std::mutex> lock(mutex);
		return prefix + std::to_string(++next_run);
	}

	//! Runs one request to its end on this thread; counts and logs it. Returns the worker that ran it.
	std::string Execute(const std::string &role, const std::string &endpoint, const json &request,
	                    const std::string &run_id, const worker::Send &send);
	//! Runs a socket's request on its session's worker (session affinity), or anywhere when it has none yet.
	void ExecuteForSocket(uint64_t peer, const std::string &role, const std::string &endpoint, json request,
	                      const std::string &run_id, const worker::Send &send);
	void StartForSocket(const std::shared_ptr<Peer> &peer, const std::string &role, const std::string &endpoint,
	                    json request, const std::string &client_id);
	std::shared_ptr<Job> StartJob(const std::shared_ptr<Peer> &peer, const std::string &role,
	                              const std::string &endpoint, json request, const std::string &client_id);
	void FinishJob(const std::shared_ptr<Job> &job);
	json JobStatus(const Job &job);
	std::shared_ptr<Job> FindJob(const json &args);
	std::string Cancel(uint64_t peer, const std::string &role, const std::string &request_id, const json &args);
	std::string Attach(const std::shared_ptr<Peer> &peer, const std::string &role, const std::string &request_id,
	                   const json &args, bool subscribe);
	//! Runs a request for a REST call and returns its reply (a held message merged in as "held").
	std::string CallForRest(const std::string &role, const std::string &endpoint, json args);
	HttpResponse ReplyResponse(const std::string &reply);
	HttpResponse Export(const std::string &result_id, const std::string &format);
	void Log(const std::string &run_id, const std::string &request_id, const std::string &endpoint, double ms,
	         const std::string &outcome, const std::string &rows);
};

Router::Router(RouterOptions options, Dispatcher &dispatcher, std::shared_ptr<worker::HeldResults> held,
               Metrics &metrics, Submit submit)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher, std::move(held), metrics, std::move(submit))) {
}
Router::~Router() = default;

void Router::Impl::Log(const std::string &run_id, const std::string &request_id, const std::string &endpoint, double ms,
                       const std::string &outcome, const std::string &rows) {
	if (!options.log_requests) {
		return;
	}
	json line = {{"event", "request"},
	             {"run_id", run_id},
	             {"request_id", request_id},
	             {"endpoint", endpoint},
	             {"ms", int64_t(ms * 1000) / 1000.0},
	             {"outcome", outcome}};
	line["rows"] = rows == "null" ? json() : json(std::stoull(rows));
	auto text = line.dump() + "\n";
	std::lock_guard<std::mutex> lock(log_mutex);
	std::fputs(text.c_str(), stderr);
}

std::string Router::Impl::Execute(const std::string &role, const std::string &endpoint, const json &request,
                                  const std::string &run_id, const worker::Send &send) {
	auto start = Clock::now();
	metrics.in_flight++;
	std::string error_type, rows = "null";
	auto observe = [&](std::string message) {
		auto type = ErrorTypeOf(message);
		if (!type.empty() && error_type.empty()) {
			error_type = type;
		}
		if (rows == "null") {
			rows = RowsForLog(message);
		}
		send(std::move(message));
	};
	std::string worker_id;
	try {
		worker_id = dispatcher.Call(role, request, run_id, observe);
	} catch (const std::exception &e) {
		observe(worker::ErrorReply(role, worker::RequestId(request), e));
	}
	metrics.in_flight--;
	auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
	metrics.Record(role + "." + endpoint, Outcome(error_type), elapsed);
	Log(run_id, worker::RequestId(request), role + "." + endpoint, double(elapsed.count()) / 1000, Outcome(error_type),
	    rows);
	return worker_id;
}

void Router::Impl::ExecuteForSocket(uint64_t peer, const std::string &role, const std::string &endpoint, json request,
                                    const std::string &run_id, const worker::Send &send) {
	std::string session_worker;
	bool deciding = false; // this request's worker becomes the session's
	if (options.session_affinity && role == "duck") {
		// A session's first request decides its worker, and its reply can reach the client before Call returns:
		// requests sent meanwhile wait for the decision rather than land anywhere.
		std::unique_lock<std::mutex> lock(mutex);
		session_decided.wait(lock, [&] { return !sessions_deciding.count(peer); });
		auto it = session_workers.find(peer);
		session_worker = it == session_workers.end() ? "" : it->second;
		if (session_worker.empty()) {
			sessions_deciding.insert(peer);
			deciding = true;
		}
	}
	// Runs when this request ends, however it ends: the session's worker is settled and the waiters go on.
	auto decided = [&](const std::string &worker_id) {
		if (!deciding) {
			return;
		}
		{
			std::lock_guard<std::mutex> lock(mutex);
			if (!worker_id.empty()) {
				session_workers[peer] = worker_id;
			}
			sessions_deciding.erase(peer);
		}
		session_decided.notify_all();
		deciding = false;
	};
	struct Settle {
		std::function<void()> run;
		~Settle() {
			run();
		}
	} settle{[&] { decided(""); }};
	auto &args = request["request_args"];
	bool pinned = !session_worker.empty() && !args.contains("node") && endpoint != "fetchrows";
	if (pinned) {
		try {
			if (!rpc::TargetNode(request).empty()) {
				pinned = false; // a pipeline naming its node goes where it says
			}
		} catch (const Error &) {
			pinned = false;
		}
	}
	if (pinned) {
		args["node"] = session_worker;
	}
	auto worker_id = Execute(role, endpoint, request, run_id, [&](std::string message) {
		if (pinned && ErrorTypeOf(message) == "NotFound" && message.find("no duck worker named") != std::string::npos) {
			// The session's worker is gone: say what that means instead of "no worker named ...".
			{
				std::lock_guard<std::mutex> lock(mutex);
				session_workers.erase(peer);
			}
			message = worker::ErrorReply(role, worker::RequestId(request),
			                             NotFoundError("the duck worker " + session_worker +
			                                           " that held this connection's session is gone, and with it the "
			                                           "tables created in its memory; the next request starts a new "
			                                           "session on another worker"));
		}
		send(std::move(message));
	});
	decided(worker_id);
}

void Router::Impl::StartForSocket(const std::shared_ptr<Peer> &peer, const std::string &role,
                                  const std::string &endpoint, json request, const std::string &client_id) {
	std::string run_id;
	{
		std::lock_guard<std::mutex> lock(mutex);
		if (stopping) {
			throw BusyError("the server is shutting down: no new requests");
		}
		auto &in_flight = socket_in_flight[peer->Id()];
		if (in_flight >= options.max_in_flight_per_socket) {
			throw BusyError("busy: this socket already has " + std::to_string(in_flight) +
			                " requests running (the limit); wait for their replies or cancel one");
		}
		in_flight++;
		running++;
		run_id = "s" + std::to_string(peer->Id()) + "-" + std::to_string(++next_run);
		runs[run_id] = {role, client_id, peer->Id()};
	}
	std::weak_ptr<Peer> weak = peer;
	submit([this, weak, peer_id = peer->Id(), role, endpoint, request = std::move(request), run_id]() mutable {
		auto id = worker::Field(request, "request_id");
		auto send = [&](std::string message) {
			if (auto peer = weak.lock()) {
				peer->Send(EchoNumericId(std::move(message), id));
			}
		};
		bool cancelled;
		{
			std::lock_guard<std::mutex> lock(mutex);
			cancelled = runs[run_id].cancelled;
		}
		if (cancelled) {
			send(worker::ErrorReply(role, worker::RequestId(request), InterruptedError("cancelled before it started")));
		} else {
			ExecuteForSocket(peer_id, role, endpoint, std::move(request), run_id, send);
		}
		std::lock_guard<std::mutex> lock(mutex);
		auto run = runs.find(run_id);
		if (run != runs.end()) {
			auto count = socket_in_flight.find(run->second.peer);
			if (count != socket_in_flight.end() && count->second > 0) {
				count->second--;
			}
			runs.erase(run);
		}
		running--;
		idle.notify_all();
	});
}

json Router::Impl::JobStatus(const Job &job) {
	auto end = job.finished.value_or(Clock::now());
	json status = {{"job_id", job.id},
	               {"state", job.state},
	               {"role", job.role},
	               {"endpoint", job.endpoint},
	               {"request_id", job.request_id},
	               {"elapsed_ms", std::chrono::duration_cast<std::chrono::milliseconds>(end - job.started).count()}};
	if (!job.finished) {
		auto progress = dispatcher.Progress(job.role, job.run_id);
		status["progress"] = progress && *progress >= 0 ? json(*progress) : json();
	} else {
		status["progress"] = job.state == "done" ? json(100.0) : json();
	}
	return status;
}

std::shared_ptr<Router::Impl::Job> Router::Impl::StartJob(const std::shared_ptr<Peer> &peer, const std::string &role,
                                                          const std::string &endpoint, json request,
                                                          const std::string &client_id) {
	auto job = std::make_shared<Job>();
	job->id = RandomId();
	job->role = role;
	job->endpoint = endpoint;
	job->request_id = client_id;
	job->run_id = "j" + job->id;
	if (peer) {
		job->subscribers.push_back(peer);
	}
	{
		std::lock_guard<std::mutex> lock(mutex);
		if (stopping) {
			throw BusyError("the server is shutting down: no new requests");
		}
		// Finished jobs are kept for a while (a reload can attach to them), then forgotten.
		for (auto it = jobs.begin(); it != jobs.end();) {
			bool old = it->second->finished && Clock::now() - *it->second->finished > options.job_retention;
			it = old ? jobs.erase(it) : std::next(it);
		}
		jobs[job->id] = job;
		running++;
	}
	submit([this, job, role, endpoint, request = std::move(request)] {
		Execute(role, endpoint, request, job->run_id, [&](std::string message) {
			std::vector<std::shared_ptr<Peer>> to;
			{
				std::lock_guard<std::mutex> lock(mutex);
				auto kind = KindOf(message);
				if (kind == MessageKind::HELD) {
					job->held = message;
				} else if (kind == MessageKind::REPLY) {
					job->reply = message;
				}
				for (const auto &subscriber : job->subscribers) {
					if (auto peer = subscriber.lock()) {
						to.push_back(peer);
					}
				}
			}
			for (const auto &peer : to) {
				peer->Send(WithJobId(message, job->id));
			}
		});
		FinishJob(job);
	});
	return job;
}

void Router::Impl::FinishJob(const std::shared_ptr<Job> &job) {
	std::vector<std::shared_ptr<Peer>> to;
	json message;
	{
		std::lock_guard<std::mutex> lock(mutex);
		auto error = ErrorTypeOf(job->reply);
		job->state = error.empty() ? "done" : error == "Interrupted" ? "cancelled" : "failed";
		job->finished = Clock::now();
		for (const auto &subscriber : job->subscribers) {
			if (auto peer = subscriber.lock()) {
				to.push_back(peer);
			}
		}
		message = {{"respond_to", job->role},
		           {"request_id", job->request_id.empty() ? json() : json(job->request_id)},
		           {"job", JobStatus(*job)}};
		running--;
		idle.notify_all();
	}
	for (const auto &peer : to) {
		peer->Send(message.dump());
	}
}

std::shared_ptr<Router::Impl::Job> Router::Impl::FindJob(const json &args) {
	auto id = worker::RequireString(args, "job_id");
	std::lock_guard<std::mutex> lock(mutex);
	auto it = jobs.find(id);
	if (it == jobs.end()) {
		throw NotFoundError("no background job " + id + " (finished jobs are kept " +
		                    std::to_string(options.job_retention.count()) + " minutes)");
	}
	return it->second;
}

std::string Router::Impl::Attach(const std::shared_ptr<Peer> &peer, const std::string &role,
                                 const std::string &request_id, const json &args, bool subscribe) {
	auto job = FindJob(args);
	std::vector<std::string> replay;
	json status;
	{
		std::lock_guard<std::mutex> lock(mutex);
		if (subscribe) {
			job->subscribers.push_back(peer);
			// A client attaching to a finished job gets its answer again.
			for (const auto *message : {&job->reply, &job->held}) {
				if (!message->empty()) {
					replay.push_back(WithJobId(*message, job->id));
				}
			}
		}
		status = JobStatus(*job);
	}
	json reply = {
	    {"respond_to", role}, {"request_id", request_id.empty() ? json() : json(request_id)}, {"job", status}};
	peer->Send(reply.dump());
	for (auto &message : replay) {
		peer->Send(std::move(message));
	}
	return "";
}

std::string Router::Impl::Cancel(uint64_t peer, const std::string &role, const std::string &request_id,
                                 const json &args) {
	if (args.contains("job_id")) {
		auto job = FindJob(args);
		if (job->finished || !dispatcher.Cancel(job->role, job->run_id)) {
			throw NotFoundError("background job " + job->id + " is not running");
		}
		return worker::MessageReply(role, request_id, "Cancelled job " + job->id);
	}
	const auto &target = worker::Field(args, "request_id");
	auto target_id = target.is_number() ? target.dump() : worker::RequireString(args, "request_id");
	std::vector<std::string> matches;
	{
		std::lock_guard<std::mutex> lock(mutex);
		for (const auto &[run_id, run] : runs) {
			// Request ids are the client's own: a socket can cancel only what it started.
			if (run.peer == peer && run.client_id == target_id) {
				matches.push_back(run_id);
			}
		}
	}
	for (const auto &run_id : matches) {
		CancelRun(run_id);
	}
	if (matches.empty()) {
		throw NotFoundError("no running request with id " + target_id + " on this connection");
	}
	return worker::MessageReply(role, request_id, "Cancelled request " + target_id);
}

void Router::OnMessage(const std::shared_ptr<Peer> &peer, std::string text, bool text_frame) {
	std::string role = "gateway", request_id;
	try {
		if (!text_frame) {
			throw InvalidInputError("binary frames are not accepted: send each request as a JSON text frame");
		}
		if (!JsonDepthWithin(text)) {
			throw InvalidInputError("the request nests arrays or objects more than " + std::to_string(MAX_JSON_DEPTH) +
			                        " deep");
		}
		auto request = json::parse(text, nullptr, false);
		if (request.is_discarded()) {
			throw InvalidInputError("the request is not valid JSON");
		}
		if (!request.is_object()) {
			throw InvalidInputError("a request must be a JSON object {request_to, request_endpoint, request_args}");
		}
		request_id = worker::RequestId(request);
		const auto &to = worker::Field(request, "request_to");
		if (!to.is_string() || (to != "duck" && to != "delta")) {
			throw InvalidInputError("request_to must be \"duck\" or \"delta\", got " +
			                        (to.is_null() ? std::string("nothing") : to.dump()));
		}
		role = to.get<std::string>();
		const auto &endpoint_field = worker::Field(request, "request_endpoint");
		if (!endpoint_field.is_string()) {
			throw InvalidInputError("request_endpoint must be a string naming the endpoint");
		}
		auto endpoint = endpoint_field.get<std::string>();
		const auto &known = role == "duck" ? DUCK_ENDPOINTS : DELTA_ENDPOINTS;
		if (!known.count(endpoint)) {
			std::string list;
			for (const auto &name : known) {
				list += (list.empty() ? "" : ", ") + name;
			}
			throw InvalidInputError("unknown " + role + " endpoint: " + endpoint + " (expected one of " + list + ")");
		}
		auto args = worker::Field(request, "request_args");
		if (args.is_null()) {
			args = json::object();
			request["request_args"] = args;
		} else if (!args.is_object()) {
			throw InvalidInputError("request_args must be an object");
		}
		if (endpoint == "ping") {
			// A client's heartbeat: answered by the gateway itself, at once.
			peer->Send(EchoNumericId(worker::MessageReply(role, request_id, "pong"), request["request_id"]));
		} else if (endpoint == "cancel") {
			peer->Send(EchoNumericId(impl_->Cancel(peer->Id(), role, request_id, args), request["request_id"]));
		} else if (endpoint == "jobstatus" || endpoint == "attach") {
			impl_->Attach(peer, role, request_id, args, endpoint == "attach");
		} else if (worker::Field(args, "background") == true) {
			auto job = impl_->StartJob(peer, role, endpoint, std::move(request), request_id);
			json reply = {{"respond_to", role},
			              {"request_id", request_id.empty() ? json() : json(request_id)},
			              {"job", {{"job_id", job->id}, {"state", "running"}}}};
			peer->Send(reply.dump());
		} else {
			impl_->StartForSocket(peer, role, endpoint, std::move(request), request_id);
		}
	} catch (const std::exception &e) {
		auto *typed = dynamic_cast<const Error *>(&e);
		impl_->metrics.Record("ws.rejected", typed && typed->Type() == ErrorType::BUSY ? "busy" : "error",
		                      std::chrono::microseconds(0));
		peer->Send(worker::ErrorReply(role, request_id, e));
	}
}

void Router::OnClose(uint64_t peer_id) {
	std::vector<std::string> to_cancel;
	{
		std::lock_guard<std::mutex> lock(impl_->mutex);
		for (const auto &[run_id, run] : impl_->runs) {
			if (run.peer == peer_id) {
				to_cancel.push_back(run_id);
			}
		}
		impl_->socket_in_flight.erase(peer_id);
		impl_->session_workers.erase(peer_id);
	}
	for (const auto &run_id : to_cancel) {
		impl_->CancelRun(run_id);
	}
}

size_t Router::InFlight() const {
	std::lock_guard<std::mutex> lock(impl_->mutex);
	return impl_->running;
}

void Router::Drain(std::chrono::milliseconds grace) {
	std::unique_lock<std::mutex> lock(impl_->mutex);
	impl_->stopping = true;
	if (impl_->idle.wait_for(lock, grace, [&] { return impl_->running == 0; })) {
		return;
	}
	std::vector<std::pair<std::string, std::string>> to_cancel;
	for (const auto &[run_id, run] : impl_->runs) {
		to_cancel.emplace_back(run.role, run_id);
	}
	for (const auto &[id, job] : impl_->jobs) {
		if (!job->finished) {
			to_cancel.emplace_back(job->role, job->run_id);
		}
	}
	lock.unlock();
	for (const auto &[role, run_id] : to_cancel) {
		impl_->dispatcher.Cancel(role, run_id);
	}
	lock.lock();
	impl_->idle.wait_for(lock, std::chrono::seconds(30), [&] { return impl_->running == 0; });
}

// --- REST ------------------------------------------------------------------------------------------------

std::string Router::Impl::CallForRest(const std::string &role, const std::string &endpoint, json args) {
	auto run_id = NewRunId("h");
	json request = {{"request_to", role},
	                {"request_endpoint", endpoint},
	                {"request_args", std::move(args)},
	                {"request_id", run_id}};
	std::string reply, held_message;
	{
		std::lock_guard<std::mutex> lock(mutex);
		if (stopping) {
			throw BusyError("the server is shutting down: no new requests");
		}
		running++;
	}
	Execute(role, endpoint, request, run_id, [&](std::string message) {
		auto kind = KindOf(message);
		if (kind == MessageKind::REPLY) {
			reply = std::move(message);
		} else if (kind == MessageKind::HELD) {
			held_message = std::move(message);
		}
	});
	{
		std::lock_guard<std::mutex> lock(mutex);
		running--;
		idle.notify_all();
	}
	if (!held_message.empty()) {
		auto merged = json::parse(reply);
		merged["held"] = json::parse(held_message)["held"];
		return merged.dump();
	}
	return reply;
}

HttpResponse Router::Impl::ReplyResponse(const std::string &reply) {
	return JsonResponse(HttpStatusFor(ErrorTypeOf(reply)), reply);
}

HttpResponse Router::Impl::Export(const std::string &result_id, const std::string &format) {
	HttpResponse response;
	response.file = held->Export(result_id, format, options.export_dir);
	response.delete_file = true;
	response.content_type = format == "csv" ? "text/csv; charset=utf-8" : "application/vnd.apache.parquet";
	response.headers.emplace_back("Content-Disposition",
	                              "attachment; filename=\"deltaduck-" + result_id.substr(0, 8) + "." + format + "\"");
	return response;
}

bool Router::IsApiPath(const std::string &path) {
	return path.rfind("/api/", 0) == 0 || path == "/api" || path == "/healthz" || path == "/metrics";
}

namespace {

//! The label a REST call is counted under: its route (`GET /api/tables`), or "other" for anything else, so that
//! made-up paths and methods cannot grow the metrics without bound.
std::string MetricsLabel(const std::string &method, const std::string &path) {
	static const std::set<std::string> ROUTES = {"/api/query",   "/api/ingest",      "/api/jobs",    "/api/tables",
	                                             "/api/export",  "/api/results",     "/api/folders", "/api/complete",
	                                             "/api/workers", "/api/openapi.json"};
	auto second_slash = path.find('/', 5);
	auto route = path.substr(0, second_slash);
	if ((method != "GET" && method != "POST") || !ROUTES.count(route)) {
		return "other";
	}
	return method + " " + route;
}

//! A reply's `data` as the response body, or the reply's error with a status that fits.
HttpResponse DataResponse(const std::string &reply) {
	auto parsed = json::parse(reply);
	if (parsed.contains("error")) {
		return JsonResponse(HttpStatusFor(parsed["error"].value("type", "")), reply);
	}
	return JsonResponse(200, parsed["data"].dump());
}

json BodyObject(const HttpRequest &request) {
	if (!JsonDepthWithin(request.body)) {
		throw InvalidInputError("the request body nests arrays or objects more than " + std::to_string(MAX_JSON_DEPTH) +
		                        " deep");
	}
	auto body = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
	if (!body.is_object()) {
		throw InvalidInputError("the request body must be a JSON object");
	}
	return body;
}

//! `/api/<prefix>/<name>[/<rest>]`: the name, or empty when the path is not of that form.
std::string PathPart(const std::string &path, const std::string &prefix, const std::string &suffix = "") {
	if (path.rfind(prefix, 0) != 0 || path.size() <= prefix.size()) {
		return "";
	}
	auto rest = path.substr(prefix.size());
	if (!suffix.empty()) {
		if (rest.size() <= suffix.size() || rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) != 0) {
			return "";
		}
		rest.resize(rest.size() - suffix.size());
	}
	return rest.find('/') == std::string::npos ? rest : "";
}

} // namespace

HttpResponse Router::HandleHttp(const HttpRequest &request) {
	auto &impl = *impl_;
	const auto &path = request.path;
	const auto &method = request.method;
	auto start = Clock::now();
	auto answer = [&](HttpResponse response) {
		impl.metrics.Record(MetricsLabel(method, path), response.status < 400 ? "ok" : "error",
		                    std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start));
		return response;
	};
	try {
		if (path == "/healthz" && method == "GET") {
			return JsonResponse(200, R"({"status":"ok"})");
		}
		if (path == "/metrics" && method == "GET") {
			HttpResponse response;
			response.content_type = "text/plain; version=0.0.4; charset=utf-8";
			response.body = impl.metrics.Render();
			return response;
		}
		if (path == "/api/openapi.json" && method == "GET") {
			return JsonResponse(200, OpenApiDocument());
		}
		if (path == "/api/query" && method == "POST") {
			return answer(impl.ReplyResponse(impl.CallForRest("duck", "querydata", BodyObject(request))));
		}
		if (path == "/api/ingest" && method == "POST") {
			json ingest = {
			    {"request_to", "delta"}, {"request_endpoint", "ingestdata"}, {"request_args", BodyObject(request)}};
			auto job = impl.StartJob(nullptr, "delta", "ingestdata", std::move(ingest), "");
			return answer(JsonResponse(
			    202, json{{"job_id", job->id}, {"state", "running"}, {"status_url", "/api/jobs/" + job->id}}.dump()));
		}
		if (auto id = PathPart(path, "/api/jobs/"); !id.empty() && method == "GET") {
			auto job = impl.FindJob(json{{"job_id", id}});
			std::lock_guard<std::mutex> lock(impl.mutex);
			auto status = impl.JobStatus(*job);
			if (!job->reply.empty()) {
				status["reply"] = json::parse(job->reply, nullptr, false);
			}
			return answer(JsonResponse(200, status.dump()));
		}
		if (path == "/api/tables" && method == "GET") {
			auto reply = impl.CallForRest("duck", "checktable", json::object());
			auto parsed = json::parse(reply);
			if (parsed.contains("error")) {
				return answer(impl.ReplyResponse(reply));
			}
			return answer(JsonResponse(
			    200, json{{"tables", parsed["data"]["tables"]}, {"lineage", parsed["data"]["lineage"]}}.dump()));
		}
		if (auto name = PathPart(path, "/api/tables/"); !name.empty() && method == "GET") {
			auto reply = impl.CallForRest("duck", "tabledetails", json{{"table", name}});
			auto parsed = json::parse(reply);
			return answer(parsed.contains("error") ? impl.ReplyResponse(reply)
			                                       : JsonResponse(200, parsed["data"]["details"].dump()));
		}
		if (path == "/api/export" && method == "GET") {
			auto query = request.query.find("query");
			if (query == request.query.end() || query->second.empty()) {
				throw InvalidInputError("the query parameter `query` is missing");
			}
			auto format = request.query.count("format") ? request.query.at("format") : std::string("csv");
			if (format != "csv" && format != "parquet") {
				throw InvalidInputError("format must be csv or parquet, not " + format);
			}
			auto reply = impl.CallForRest("duck", "querydata",
			                              json{{"request_query", query->second},
			                                   {"request_contents", {"Message"}},
			                                   {"request_render", 1},
			                                   {"keep", true},
			                                   {"read_only", true}});
			auto parsed = json::parse(reply);
			if (parsed.contains("error")) {
				return answer(impl.ReplyResponse(reply));
			}
			if (parsed.contains("held") && parsed["held"].contains("error")) {
				return answer(JsonResponse(500, json{{"error", parsed["held"]["error"]}}.dump()));
			}
			return answer(impl.Export(parsed["data"]["result_id"].get<std::string>(), format));
		}
		if (auto id = PathPart(path, "/api/results/", "/export"); !id.empty() && method == "GET") {
			auto format = request.query.count("format") ? request.query.at("format") : std::string("csv");
			return answer(impl.Export(id, format));
		}
		if (path == "/api/folders" && method == "GET") {
			return answer(DataResponse(impl.CallForRest("delta", "listfolders", json::object())));
		}
		if (path == "/api/complete" && method == "POST") {
			auto body = BodyObject(request);
			return answer(DataResponse(impl.CallForRest("duck", "complete", json{{"sql", body["sql"]}})));
		}
		if (path == "/api/workers" && method == "GET") {
			return answer(JsonResponse(200, json{{"workers", impl.dispatcher.Workers()}}.dump()));
		}
		return answer(
		    JsonError(404, "NotFound", "no such endpoint: " + method + " " + path + " (see /api/openapi.json)"));
	} catch (const Error &e) {
		auto type = std::string(ErrorTypeName(e.Type()));
		return answer(JsonError(HttpStatusFor(type), type, e.what()));
	} catch (const std::exception &e) {
		return answer(JsonError(500, "Internal", e.what()));
	}
}

} // namespace deltaduck::gateway
