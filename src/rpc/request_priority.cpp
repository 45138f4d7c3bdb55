#include "rpc/request_priority.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace deltaduck::rpc {

pid_t CurrentThreadId() {
	return static_cast<pid_t>(syscall(SYS_gettid));
}

void DemoteThread(pid_t thread_id) {
	// On Linux, PRIO_PROCESS with a thread id sets that one thread's nice value.
	setpriority(PRIO_PROCESS, static_cast<id_t>(thread_id), 10);
}

} // namespace deltaduck::rpc
