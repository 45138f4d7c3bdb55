#include "common/fault_injection.hpp"

#include "common/error.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace deltaduck {

void FaultPoint(const char *name) {
	// Read every time (a few bytes of environment on paths that write files): tests set it in-process too.
	const char *wanted = std::getenv("DELTADUCK_FAULT");
	if (!wanted) {
		return;
	}
	auto length = std::strlen(name);
	if (std::strncmp(wanted, name, length) != 0) {
		return;
	}
	if (std::strcmp(wanted + length, ":throw") == 0) {
		throw IOError(std::string("fault injected at ") + name);
	}
	if (wanted[length] != '\0') {
		return;
	}
	// With DELTADUCK_FAULT_ONCE=<file>, only the first process to create the file stops: the request it was
	// running can then be seen running again elsewhere (a redelivered ingest, say).
	const char *once = std::getenv("DELTADUCK_FAULT_ONCE");
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
