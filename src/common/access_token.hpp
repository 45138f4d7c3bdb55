#pragma once

#include <string>

namespace deltaduck {

//! Compares in time that depends only on the lengths, never on where the texts differ (token checks).
bool ConstantTimeEquals(const std::string &a, const std::string &b);

//! Whether `host` (an address or name) is loopback: 127.0.0.0/8, ::1 or localhost. Servers listening anywhere
//! else require an access token.
bool IsLoopback(const std::string &host);

} // namespace deltaduck
