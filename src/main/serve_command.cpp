#include "common/error.hpp"
#include "gateway/server.hpp"
#include "main/cluster_options.hpp"
#include "main/commands.hpp"
#include "rpc/amqp_dispatcher.hpp"
#include "rpc/http_dispatcher.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/held_results.hpp"

#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

//! A worker silent this long is dropped from the registry.
constexpr std::chrono::seconds WORKER_SILENCE{10};

struct ServeOptions {
	DataOptions data;
	ClusterOptions cluster;
	//! HTTP workers' URLs (--workers http).
	std::vector<std::string> duck_urls;
	std::vector<std::string> delta_urls;
	std::string listen = "127.0.0.1:8080";
	std::string token;
	std::string web;
	std::string workers = "inproc";
	std::vector<std::string> allow_origins;
	int64_t query_timeout_s = 300;
	int64_t grace_s = 30;
	size_t max_message_bytes = size_t(1) << 20;
	size_t max_send_queue_bytes = size_t(64) << 20;
	size_t max_in_flight = 16;
	int64_t idle_timeout_s = 60;
	int64_t shutdown_grace_ms = 10000;
	uint64_t held_bytes = uint64_t(20) << 30;
	int64_t held_hours = 24;
	bool quiet = false;
	bool session_affinity = false;
};

//! The built web app beside the binary (build/deltaduck -> web/dist), else ./web/dist.
fs::path DefaultWebDir() {
	std::error_code error;
	auto exe = fs::read_symlink("/proc/self/exe", error);
	if (!error) {
		auto candidate = exe.parent_path().parent_path() / "web" / "dist";
		if (fs::exists(candidate)) {
			return candidate;
		}
	}
	return fs::absolute("web/dist");
}

//! Where the gateway's requests run: in this process, or on the workers of a cluster.
std::unique_ptr<rpc::Dispatcher> OpenDispatcher(const ServeOptions &options, const fs::path &root,
                                                const std::shared_ptr<worker::HeldResults> &held, size_t connections) {
	auto request_timeout = std::chrono::seconds(options.query_timeout_s + options.grace_s + 30);
	if (options.workers == "amqp") {
		if (options.cluster.amqp_url.empty()) {
			throw InvalidInputError("--workers amqp needs --amqp URL (or DELTADUCK_AMQP_URL)");
		}
		auto cluster = OpenCluster(options.cluster, root);
		rpc::AmqpDispatcherOptions amqp;
		amqp.url = options.cluster.amqp_url;
		amqp.request_timeout = request_timeout;
		std::function<nlohmann::json()> workers;
		if (cluster.registry) {
			workers = [registry = cluster.registry] { return registry->List(WORKER_SILENCE); };
		}
		return rpc::OpenAmqpDispatcher(amqp, workers);
	}
	if (options.workers == "http") {
		rpc::HttpDispatcherOptions http;
		http.workers["duck"] = options.duck_urls;
		http.workers["delta"] = options.delta_urls;
		http.token = options.token;
		http.request_timeout = request_timeout;
		if (options.duck_urls.empty() || options.delta_urls.empty()) {
			throw InvalidInputError("--workers http needs --duck-urls and --delta-urls (or DELTADUCK_DUCK_URLS and "
			                        "DELTADUCK_DELTA_URLS): the workers' http://HOST:PORT addresses");
		}
		for (const auto &url : options.duck_urls) {
			rpc::ParseWorkerUrl(url);
		}
		for (const auto &url : options.delta_urls) {
			rpc::ParseWorkerUrl(url);
		}
		return rpc::OpenHttpDispatcher(http);
	}
	auto cluster = OpenCluster(options.cluster, root);
	worker::DuckWorkerOptions duck;
	duck.data_dir = root;
	duck.query_timeout = std::chrono::seconds(options.query_timeout_s);
	duck.held_results = held;
	duck.connections = connections;
	duck.postgres = cluster.postgres_attach;
	worker::DeltaWorkerOptions delta;
	delta.data_dir = root;
	delta.postgres = cluster.postgres_attach;
	return rpc::OpenInprocDispatcher(worker::DuckWorker::Open(duck, cluster.catalog), worker::DeltaWorker::Open(delta));
}

void RunServe(ServeOptions options) {
	gateway::ServerOptions server;
	std::tie(server.host, server.port) = SplitListen(options.listen);
	if (!IsLoopback(server.host) && options.token.empty()) {
		throw PermissionError("listening on " + server.host +
		                      " (not loopback) needs an access token: pass --token or set DELTADUCK_TOKEN");
	}
	server.access.token = options.token;
	server.access.allowed_origins = options.allow_origins;
	// Paths given relative to where the command was started, before the process moves into the data directory.
	server.web_dir = options.web.empty() ? DefaultWebDir() : fs::absolute(options.web);
	server.max_message_bytes = options.max_message_bytes;
	server.max_send_queue_bytes = options.max_send_queue_bytes;
	server.idle_timeout = std::chrono::seconds(options.idle_timeout_s);
	server.shutdown_grace = std::chrono::milliseconds(options.shutdown_grace_ms);
	server.router.max_in_flight_per_socket = options.max_in_flight;
	server.router.log_requests = !options.quiet;
	server.router.session_affinity = options.session_affinity;

	auto root = worker::RootAtDataDirectory(options.data.data_dir);
	auto state = root / worker::STATE_DIR;
	server.router.export_dir = state / "exports";
	std::error_code ignored;
	fs::remove_all(server.router.export_dir, ignored); // downloads a previous run left half-sent
	worker::HeldResultsOptions held_options;
	held_options.dir = state / "results";
	held_options.max_bytes = options.held_bytes;
	held_options.max_age = std::chrono::hours(options.held_hours);
	auto held = worker::HeldResults::Open(held_options);

	auto dispatcher = OpenDispatcher(options, root, held, server.request_threads);

	gateway::Server gateway(server, *dispatcher, held);
	gateway.GetMetrics().AddGauge({"deltaduck_held_result_bytes", "Bytes of query results held on the server.", [held] {
		                               return std::vector<std::pair<std::string, double>>{{"", double(held->Bytes())}};
	                               }});
	gateway.GetMetrics().AddGauge({"deltaduck_worker_up", "1 for each worker that answers.", [&dispatcher] {
		                               std::vector<std::pair<std::string, double>> up;
		                               for (const auto &worker : dispatcher->Workers()) {
			                               up.emplace_back("worker=\"" + worker["id"].get<std::string>() +
			                                                   "\",role=\"" + worker["role"].get<std::string>() + "\"",
			                                               worker["status"] == "up" ? 1 : 0);
		                               }
		                               return up;
	                               }});
	auto port = gateway.Listen();
	auto shown_host = server.host.find(':') == std::string::npos ? server.host : "[" + server.host + "]";
	std::cout << "DeltaDuck ready at http://" << shown_host << ":" << port << "/" << std::endl;
	std::cout << "data directory: " << root.string() << "; web app: " << server.web_dir.string()
	          << (fs::exists(server.web_dir / "index.html") ? "" : " (not built: a placeholder page is served)")
	          << std::endl;
	gateway.Run();
	std::cout << "DeltaDuck stopped" << std::endl;
}

} // namespace

void AddServeCommand(CLI::App &app) {
	auto options = std::make_shared<ServeOptions>();
	auto *command = app.add_subcommand("serve", "Serve the dashboard: the web app, the WebSocket /ws and the REST API");
	command->footer("Runs the duck and delta workers inside this process unless --workers says otherwise. Examples:\n"
	                "  deltaduck serve                                   (http://127.0.0.1:8080/, data in ./data)\n"
	                "  deltaduck serve --listen 0.0.0.0:8080 --token \"$(openssl rand -hex 16)\"\n"
	                "  deltaduck serve --workers amqp --amqp amqp://guest:guest@127.0.0.1:5672/ --postgres "
	                "\"host=127.0.0.1 dbname=deltaduck user=deltaduck\"\n"
	                "  deltaduck --config deploy/deltaduck.env.example serve");
	AddDataOption(*command, options->data);
	AddClusterOptions(*command, options->cluster);
	command->add_option("--duck-urls", options->duck_urls, "HTTP duck workers (--workers http), comma-separated")
	    ->delimiter(',')
	    ->envname("DELTADUCK_DUCK_URLS");
	command->add_option("--delta-urls", options->delta_urls, "HTTP delta workers (--workers http), comma-separated")
	    ->delimiter(',')
	    ->envname("DELTADUCK_DELTA_URLS");
	command->add_option("--grace", options->grace_s, "Seconds a worker lets a cancelled request end (cluster)")
	    ->capture_default_str();
	command->add_option("--listen", options->listen, "HOST:PORT to listen on (port 0: any free port)")
	    ->capture_default_str()
	    ->envname("DELTADUCK_LISTEN");
	command->add_option("--token", options->token, "Access token (required unless listening on loopback)")
	    ->envname("DELTADUCK_TOKEN");
	command->add_option("--web", options->web, "The built web app (default: web/dist beside the build)")
	    ->envname("DELTADUCK_WEB");
	command->add_option("--workers", options->workers, "Where requests run: inproc (this process), http or amqp")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"inproc", "http", "amqp"}))
	    ->envname("DELTADUCK_WORKERS");
	command->add_option("--allow-origin", options->allow_origins,
	                    "Also let pages from this origin open the WebSocket (repeatable; * for any)");
	command->add_option("--query-timeout", options->query_timeout_s, "Seconds a query may run")->capture_default_str();
	command->add_option("--max-message-bytes", options->max_message_bytes, "Largest WebSocket request")
	    ->capture_default_str();
	command
	    ->add_option("--max-send-queue-bytes", options->max_send_queue_bytes,
	                 "Replies held for a slow socket before it is closed")
	    ->capture_default_str();
	command->add_option("--max-in-flight", options->max_in_flight, "Requests one socket may run at once")
	    ->capture_default_str();
	command->add_option("--idle-timeout", options->idle_timeout_s, "Seconds before a silent socket is closed")
	    ->capture_default_str();
	command
	    ->add_option("--shutdown-grace", options->shutdown_grace_ms,
	                 "Milliseconds running requests get at shutdown before they are cancelled")
	    ->capture_default_str();
	command->add_option("--held-bytes", options->held_bytes, "Total bytes of held results kept")->capture_default_str();
	command->add_option("--held-hours", options->held_hours, "Hours an unused held result is kept")
	    ->capture_default_str();
	command->add_flag("--quiet", options->quiet, "No log line per request");
	command
	    ->add_flag("--session-affinity", options->session_affinity,
	               "Send each socket's queries to the duck worker that answered its first one, while it lives")
	    ->envname("DELTADUCK_SESSION_AFFINITY");
	command->callback([options] { RunServe(*options); });
}

} // namespace deltaduck
