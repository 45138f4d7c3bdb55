#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace deltaduck {

//! The deltaduck binary under test: $DELTADUCK_BINARY (set by CTest), else build/deltaduck.
std::string DeltaDuckBinary();

//! Starts `deltaduck args...` with standard input from /dev/null and standard output and error to the given
//! files (empty: /dev/null). `environment` entries (NAME=value) are added to ours, replacing same-named
//! ones. Returns the pid, or -1 if it could not start.
pid_t StartDeltaDuck(const std::vector<std::string> &args, const std::string &out = "", const std::string &err = "",
                     const std::vector<std::string> &environment = {});

} // namespace deltaduck
