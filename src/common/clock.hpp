#pragma once

#include <cstdint>
#include <string>

namespace deltaduck {

//! Milliseconds since the epoch, now.
int64_t NowMs();

//! A random UUID (version 4 layout).
std::string NewUuid();

} // namespace deltaduck
