#include "main/supervisor.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "rpc/amqp_worker.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace deltaduck {

namespace {

volatile sig_atomic_t child_pid = 0;
volatile sig_atomic_t stopping = 0;

extern "C" void ForwardSignal(int signal) {
	stopping = 1;
	if (child_pid > 0) {
		kill(child_pid, signal);
	}
}

} // namespace

void Supervise(const std::function<void()> &work) {
	std::signal(SIGTERM, ForwardSignal);
	std::signal(SIGINT, ForwardSignal);
	auto backoff = std::chrono::milliseconds(200);
	while (!stopping) {
		auto started = std::chrono::steady_clock::now();
		pid_t pid = fork();
		if (pid < 0) {
			throw IOError("cannot start the worker process (fork failed)");
		}
		if (pid == 0) {
			std::signal(SIGTERM, SIG_DFL);
			std::signal(SIGINT, SIG_DFL);
			// A worker never outlives its supervisor: a supervisor that is killed (it cannot pass a signal on) takes
			// its worker down as a crash would; a clean stop goes through the forwarded SIGTERM instead.
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			int status = 0;
			try {
				work();
			} catch (const Error &e) {
				LogLine({{"event", "worker_failed"}, {"type", ErrorTypeName(e.Type())}, {"message", e.what()}});
				status = 1;
			} catch (const std::exception &e) {
				LogLine({{"event", "worker_failed"}, {"message", e.what()}});
				status = 1;
			}
			std::fflush(stdout);
			std::_Exit(status);
		}
		child_pid = pid;
		int status = 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
		child_pid = 0;
		bool restart = (WIFEXITED(status) && WEXITSTATUS(status) == rpc::EXIT_RESTART) ||
		               (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM && WTERMSIG(status) != SIGINT);
		if (stopping || !restart) {
			if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
				std::exit(WEXITSTATUS(status));
			}
			return;
		}
		// A worker that ran for a while restarts at once; one failing at start waits longer each time.
		if (std::chrono::steady_clock::now() - started > std::chrono::seconds(30)) {
			backoff = std::chrono::milliseconds(200);
		}
		LogLine({{"event", "worker_restarting"},
		         {"status", WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status)},
		         {"after_ms", backoff.count()}});
		std::this_thread::sleep_for(backoff);
		backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
	}
}

} // namespace deltaduck
