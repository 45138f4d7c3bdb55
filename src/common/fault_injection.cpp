#include "common/fault_injection.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace deltaduck {

void FaultPoint(const char *name) {
	static const char *wanted = std::getenv("DELTADUCK_FAULT");
	if (!wanted || std::strcmp(wanted, name) != 0) {
		return;
	}
	// With DELTADUCK_FAULT_ONCE=<file>, only the first process to create the file stops: the request it was
	// running can then be seen running again elsewhere (a redelivered ingest, say).
	static const char *once = std::getenv("DELTADUCK_FAULT_ONCE");
	if (once && *once) {
		int fd = open(once, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			return;
		}
		close(fd);
	}
	std::raise(SIGKILL);
}

} // namespace deltaduck
