#include "catalog/embedded_catalog.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "main/cluster_options.hpp"
#include "main/commands.hpp"
#include "main/supervisor.hpp"
#include "rpc/amqp_connection.hpp"
#include "rpc/amqp_worker.hpp"
#include "rpc/http_worker.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/held_results.hpp"

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

struct WorkerOptions {
	DataOptions data;
	ClusterOptions cluster;
	std::string role = "duck";
	std::string transport = "amqp";
	std::string listen = "127.0.0.1:0";
	std::string id;
	std::string token;
	int64_t query_timeout_s = 300;
	int64_t grace_s = 30;
	uint32_t threads = 0;
	bool supervise = true;
};

std::atomic<bool> stop_requested{false};

extern "C" void OnStopSignal(int) {
	stop_requested = true;
}

void RunWorker(const WorkerOptions &options) {
	std::signal(SIGTERM, OnStopSignal);
	std::signal(SIGINT, OnStopSignal);
	auto root = worker::RootAtDataDirectory(options.data.data_dir);
	auto state = root / worker::STATE_DIR;
	auto cluster = OpenCluster(options.cluster, root);
	auto worker_id = options.id.empty() ? worker::DefaultWorkerId() : options.id;
	CheckWorkerId(worker_id);

	std::unique_ptr<worker::DuckWorker> duck;
	std::unique_ptr<worker::DeltaWorker> delta;
	rpc::RoleHandler handler;
	if (options.role == "duck") {
		worker::DuckWorkerOptions duck_options;
		duck_options.data_dir = root;
		duck_options.worker_id = worker_id;
		duck_options.query_timeout = std::chrono::seconds(options.query_timeout_s);
		duck_options.threads = options.threads;
		duck_options.postgres = cluster.postgres_attach;
		worker::HeldResultsOptions held;
		held.dir = state / "results";
		duck_options.held_results = worker::HeldResults::Open(held);
		duck = worker::DuckWorker::Open(duck_options, cluster.catalog);
		handler = rpc::RoleHandler::Duck(*duck);
	} else {
		worker::DeltaWorkerOptions delta_options;
		delta_options.data_dir = root;
		delta_options.time_limit = std::chrono::seconds(options.query_timeout_s);
		delta_options.postgres = cluster.postgres_attach;
		delta = worker::DeltaWorker::Open(delta_options);
		handler = rpc::RoleHandler::Delta(*delta, worker_id);
	}

	std::function<size_t()> in_flight;
	auto announce = [&](const std::string &address) {
		if (cluster.registry) {
			cluster.registry->Register({worker_id, options.role, options.transport, address});
		}
		std::cout << "DeltaDuck worker " << worker_id << " (" << options.role << ", " << options.transport << ") ready"
		          << (address.empty() ? "" : " at " + address) << std::endl;
	};
	// Heartbeats keep this worker in the registry; one that stops beating is dropped from /api/workers.
	std::thread heartbeat;
	auto start_heartbeat = [&] {
		if (!cluster.registry) {
			return;
		}
		heartbeat = std::thread([&] {
			while (!stop_requested) {
				for (int i = 0; i < 20 && !stop_requested; i++) {
					std::this_thread::sleep_for(std::chrono::milliseconds(100));
				}
				try {
					cluster.registry->Heartbeat(worker_id, in_flight ? in_flight() : 0);
				} catch (const std::exception &e) {
					LogLine({{"event", "heartbeat_failed"}, {"worker", worker_id}, {"message", e.what()}});
				}
			}
		});
	};

	if (options.transport == "amqp") {
		rpc::AmqpWorkerOptions amqp;
		amqp.url = options.cluster.amqp_url;
		amqp.time_limit = std::chrono::seconds(options.query_timeout_s);
		amqp.grace = std::chrono::seconds(options.grace_s);
		rpc::AmqpWorker server(amqp, handler);
		in_flight = [&server] { return server.InFlight(); };
		bool announced = false;
		start_heartbeat();
		server.Run(stop_requested, [&] {
			if (!announced) {
				announced = true;
				announce(rpc::RedactAmqpUrl(amqp.url));
			}
		});
	} else {
		rpc::HttpWorkerOptions http;
		std::tie(http.host, http.port) = SplitListen(options.listen);
		http.token = options.token;
		http.time_limit = std::chrono::seconds(options.query_timeout_s);
		http.grace = std::chrono::seconds(options.grace_s);
		rpc::HttpWorker server(http, handler);
		in_flight = [&server] { return server.InFlight(); };
		auto port = server.Listen();
		start_heartbeat();
		announce("http://" + http.host + ":" + std::to_string(port));
		server.Run(stop_requested);
	}
	stop_requested = true;
	if (heartbeat.joinable()) {
		heartbeat.join();
	}
	if (cluster.registry) {
		cluster.registry->Unregister(worker_id);
	}
	std::cout << "DeltaDuck worker " << worker_id << " stopped" << std::endl;
}

} // namespace

void AddWorkerCommand(CLI::App &app) {
	auto options = std::make_shared<WorkerOptions>();
	auto *command = app.add_subcommand("worker", "Run a duck (query) or delta (ingest) worker for a cluster");
	command->footer("Examples:\n"
	                "  deltaduck worker --role duck --transport amqp --amqp amqp://guest:guest@127.0.0.1:5672/\n"
	                "  deltaduck worker --role delta --transport http --listen 127.0.0.1:8102");
	AddDataOption(*command, options->data);
	AddClusterOptions(*command, options->cluster);
	command->add_option("--role", options->role, "duck (queries) or delta (ingest)")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"duck", "delta"}))
	    ->envname("DELTADUCK_ROLE");
	command->add_option("--transport", options->transport, "How requests arrive: amqp (RabbitMQ) or http")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"amqp", "http"}))
	    ->envname("DELTADUCK_TRANSPORT");
	command->add_option("--listen", options->listen, "HOST:PORT for --transport http (port 0: any free port)")
	    ->capture_default_str()
	    ->envname("DELTADUCK_WORKER_LISTEN");
	command->add_option("--id", options->id, "Worker id (default host:pid); names its queue duck<id>_rpc")
	    ->envname("DELTADUCK_WORKER_ID");
	command->add_option("--token", options->token, "Access token the gateway must send (required off loopback)")
	    ->envname("DELTADUCK_TOKEN");
	command->add_option("--query-timeout", options->query_timeout_s, "Seconds a request may run")
	    ->capture_default_str();
	command
	    ->add_option("--grace", options->grace_s,
	                 "Seconds a cancelled request may ignore interruption before the worker restarts")
	    ->capture_default_str();
	command->add_option("--threads", options->threads, "DuckDB threads (0: one per CPU)")->capture_default_str();
	command->add_flag("!--no-supervise", options->supervise,
	                  "Run without a supervisor process (which restarts a worker that exits to stop a stuck "
	                  "request, or crashes)");
	command->callback([options] {
		if (options->transport == "amqp" && options->cluster.amqp_url.empty()) {
			throw InvalidInputError("--transport amqp needs --amqp URL (or DELTADUCK_AMQP_URL)");
		}
		if (options->supervise) {
			Supervise([options] { RunWorker(*options); });
		} else {
			RunWorker(*options);
		}
	});
}

} // namespace deltaduck
