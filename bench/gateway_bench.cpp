// `deltaduck serve` over WebSocket: the cost the gateway adds to a request, and the original's FastAPI gateway
// (bench/original_gateway.py, a faithful reproduction) under the same load from the same client
// (bench/ws_load.py).

#include "bench/bench.hpp"
#include "catalog/embedded_catalog.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/duck_worker.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

extern char **environ;

namespace deltaduck::bench {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

//! A server process of the benchmark, stopped by its pid when the benchmark ends.
class ServerProcess {
public:
	ServerProcess(pid_t pid, const fs::path &out, const std::string &marker) : pid_(pid) {
		if (pid_ < 0) {
			throw std::runtime_error("cannot start the server");
		}
		// The server says when it accepts connections; the deadline only catches a server that never does.
		auto deadline = Clock::now() + std::chrono::seconds(120);
		while (Clock::now() < deadline) {
			std::ifstream in(out);
			std::string line;
			while (std::getline(in, line)) {
				auto at = line.find(marker);
				if (at != std::string::npos) {
					port_ = static_cast<uint16_t>(std::stoi(line.substr(at + marker.size())));
					return;
				}
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
		Stop();
		throw std::runtime_error("the server printed no ready line: " + out.string());
	}
	~ServerProcess() {
		Stop();
	}
	uint16_t Port() const {
		return port_;
	}

private:
	void Stop() {
		if (pid_ > 0) {
			kill(pid_, SIGTERM);
			int status = 0;
			waitpid(pid_, &status, 0);
			pid_ = -1;
		}
	}
	pid_t pid_;
	uint16_t port_ = 0;
};

pid_t Spawn(const std::vector<std::string> &args, const fs::path &out) {
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
	std::vector<char *> argv;
	for (const auto &arg : args) {
		argv.push_back(const_cast<char *>(arg.c_str()));
	}
	argv.push_back(nullptr);
	pid_t pid = -1;
	if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
		pid = -1;
	}
	posix_spawn_file_actions_destroy(&actions);
	return pid;
}

const char *SELECT_42 =
    R"({"request_to":"duck","request_endpoint":"querydata","request_args":{"request_query":"SELECT 42 AS answer","request_contents":["Message"]},"request_id":"b"})";

double Percentile(std::vector<double> values, double fraction) {
	std::sort(values.begin(), values.end());
	return values[std::min(values.size() - 1, size_t(fraction * double(values.size())))];
}

//! Microseconds per round trip of one request over one WebSocket, one at a time.
std::vector<double> WebSocketRoundTrips(uint16_t port, int count) {
	net::io_context io;
	beast::websocket::stream<tcp::socket> ws(io);
	tcp::resolver resolver(io);
	net::connect(ws.next_layer(), resolver.resolve("127.0.0.1", std::to_string(port)));
	ws.set_option(beast::websocket::stream_base::decorator(
	    [](beast::websocket::request_type &request) { request.set(beast::http::field::user_agent, "bench"); }));
	ws.handshake("127.0.0.1:" + std::to_string(port), "/ws");
	ws.text(true);
	std::vector<double> micros;
	beast::flat_buffer buffer;
	for (int i = 0; i < count; i++) {
		auto start = Clock::now();
		ws.write(net::buffer(std::string(SELECT_42)));
		ws.read(buffer);
		micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
		if (beast::buffers_to_string(buffer.data()).find("\"error\"") != std::string::npos) {
			throw std::runtime_error("query failed: " + beast::buffers_to_string(buffer.data()));
		}
		buffer.consume(buffer.size());
	}
	ws.close(beast::websocket::close_code::normal);
	return micros;
}

std::vector<double> InProcessCalls(worker::DuckWorker &worker, int count) {
	auto request = nlohmann::json::parse(SELECT_42);
	std::vector<double> micros;
	for (int i = 0; i < count; i++) {
		auto start = Clock::now();
		auto reply = worker.Handle(request);
		micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
	}
	return micros;
}

//! Runs bench/ws_load.py against a server and returns its RESULT line's fields.
std::map<std::string, double> Load(uint16_t port, int clients, int requests, const std::string &sql) {
	auto output = Capture(std::string(DELTADUCK_VENV_PYTHON) + " " + DELTADUCK_SOURCE_DIR +
	                      "/bench/ws_load.py --url ws://127.0.0.1:" + std::to_string(port) + "/ws --clients " +
	                      std::to_string(clients) + " --requests " + std::to_string(requests) + " --warmup " +
	                      std::to_string(clients * 2) + " --render 100 --contents Table --query \"" + sql + "\"");
	auto at = output.find("RESULT ");
	if (at == std::string::npos) {
		throw std::runtime_error("ws_load.py printed no RESULT line: " + output);
	}
	std::map<std::string, double> fields;
	std::istringstream words(output.substr(at + 7));
	std::string word;
	while (words >> word) {
		auto equals = word.find('=');
		if (equals != std::string::npos) {
			fields[word.substr(0, equals)] = std::stod(word.substr(equals + 1));
		}
	}
	return fields;
}

std::string Fixed(double value) {
	char text[32];
	std::snprintf(text, sizeof(text), "%.1f", value);
	return text;
}

} // namespace

void RunGatewayBenchmarks() {
	auto data = worker::RootAtDataDirectory((fs::path(DELTADUCK_BINARY_DIR) / "bench-data" / "gateway").string());
	MakeTable(data, "t", 100000);
	auto ours = std::make_unique<ServerProcess>(Spawn({std::string(DELTADUCK_BINARY_DIR) + "/deltaduck", "serve",
	                                                   "--data", data.string(), "--listen", "127.0.0.1:0", "--quiet"},
	                                                  data / ".." / "serve.out"),
	                                            data / ".." / "serve.out", "ready at http://127.0.0.1:");

	// Round trip of the smallest request: what the gateway adds to calling the handler directly.
	{
		worker::DuckWorkerOptions options;
		options.data_dir = data;
		auto worker = worker::DuckWorker::Open(
		    options, catalog::EmbeddedCatalog::Open(data / ".deltaduck" / "bench-catalog.duckdb"));
		InProcessCalls(*worker, 500);
		auto inproc = InProcessCalls(*worker, 5000);
		WebSocketRoundTrips(ours->Port(), 500);
		auto ws = WebSocketRoundTrips(ours->Port(), 5000);
		double ws50 = Percentile(ws, 0.5), in50 = Percentile(inproc, 0.5);
		Report("ws_roundtrip_select42_vs_inproc", ws50, in50, "us",
		       "added_us=" + Fixed(ws50 - in50) + " p99_ws_us=" + Fixed(Percentile(ws, 0.99)) +
		           " p99_inproc_us=" + Fixed(Percentile(inproc, 0.99)));
	}

	auto original = std::make_unique<ServerProcess>(
	    Spawn({DELTADUCK_VENV_PYTHON, std::string(DELTADUCK_SOURCE_DIR) + "/bench/original_gateway.py", "--data",
	           data.string(), "--port", "0"},
	          data / ".." / "original.out"),
	    data / ".." / "original.out", "READY ");
	const std::string sql = "SELECT * FROM =(^)t LIMIT 100";
	auto ours_load = Load(ours->Port(), 16, 1000, sql);
	auto original_load = Load(original->Port(), 16, 1000, sql);
	Report("ws_querydata_vs_original_gateway", ours_load["seconds"], original_load["seconds"], "s",
	       "p50_us=" + Fixed(ours_load["p50_us"]) + " original_p50_us=" + Fixed(original_load["p50_us"]));
	auto ours_many = Load(ours->Port(), 64, 5000, sql);
	auto original_many = Load(original->Port(), 64, 2000, sql);
	Report("ws_throughput_64_clients_throughput", ours_many["throughput"], original_many["throughput"], "req/s",
	       "p99_us=" + Fixed(ours_many["p99_us"]) + " original_p99_us=" + Fixed(original_many["p99_us"]));
}

} // namespace deltaduck::bench
