// `make bench`: every benchmark runs ours and a baseline side by side in this one run (a Python baseline in a
// process of its own) and prints one BENCH line with the ratio (lower is better unless the name ends in
// _throughput).

#include "bench/bench.hpp"

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

namespace deltaduck::bench {

void Report(const std::string &name, double ours, double baseline, const std::string &unit, const std::string &extra) {
	std::printf("BENCH %s ours=%.4f%s baseline=%.4f%s ratio=%.3f%s\n", name.c_str(), ours, unit.c_str(), baseline,
	            unit.c_str(), ours / baseline, extra.empty() ? "" : (" " + extra).c_str());
	std::fflush(stdout);
}

double TimeSeconds(const std::function<void()> &fn) {
	auto start = std::chrono::steady_clock::now();
	fn();
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string Capture(const std::string &command) {
	std::string output;
	if (FILE *pipe = popen(command.c_str(), "r")) {
		char buffer[256];
		while (fgets(buffer, sizeof(buffer), pipe)) {
			output += buffer;
		}
		if (pclose(pipe) != 0) {
			throw std::runtime_error("command failed: " + command);
		}
	}
	return output;
}

double BestSeconds(int runs, const std::function<void()> &fn) {
	double best = 1e300;
	for (int i = 0; i < runs; i++) {
		best = std::min(best, TimeSeconds(fn));
	}
	return best;
}

} // namespace deltaduck::bench

int main(int argc, char **argv) {
	// `deltaduck_bench [engine|delta|ingest|query|gateway|cluster]...` runs only those groups; no argument runs
	// them all.
	auto wanted = [&](const char *group) {
		if (argc < 2) {
			return true;
		}
		for (int i = 1; i < argc; i++) {
			if (std::string(argv[i]) == group) {
				return true;
			}
		}
		return false;
	};
	try {
		if (wanted("engine")) {
			deltaduck::bench::RunEngineBenchmarks();
		}
		if (wanted("delta")) {
			deltaduck::bench::RunDeltaBenchmarks();
		}
		if (wanted("ingest")) {
			deltaduck::bench::RunIngestBenchmarks();
		}
		if (wanted("query")) {
			deltaduck::bench::RunQueryBenchmarks();
		}
		if (wanted("gateway")) {
			deltaduck::bench::RunGatewayBenchmarks();
		}
		if (wanted("cluster")) {
			// Real RabbitMQ, PostgreSQL and worker processes, started by deploy/local_cluster.py.
			std::fputs(deltaduck::bench::Capture(std::string(DELTADUCK_VENV_PYTHON) + " " + DELTADUCK_SOURCE_DIR +
			                                     "/bench/cluster_bench.py")
			               .c_str(),
			           stdout);
		}
	} catch (const std::exception &e) {
		std::fprintf(stderr, "benchmark failed: %s\n", e.what());
		return 1;
	}
	return 0;
}
