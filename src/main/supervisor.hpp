#pragma once

#include <functional>

namespace deltaduck {

//! Runs `work` in a child process and starts it again when it exits to be restarted (status 75, see
//! rpc::EXIT_RESTART) or crashes, waiting longer after each quick failure. SIGTERM and SIGINT go to the child;
//! returns (exit status 0) when it ends cleanly. Call it before any thread or database exists.
void Supervise(const std::function<void()> &work);

} // namespace deltaduck
