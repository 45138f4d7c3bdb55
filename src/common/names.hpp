#pragma once

#include <string_view>

namespace deltaduck {

//! Longest folder or table name we accept.
constexpr size_t MAX_NAME_LENGTH = 128;

//! Throws InvalidInputError unless `name` is a safe folder or table name: 1-128 characters, each a
//! letter, digit, `_` or `-`, not starting with `-`. `what` names it in the message ("folder name").
//! Such names can never hold a path separator, `..`, quotes or SQL.
void CheckName(std::string_view what, std::string_view name);

} // namespace deltaduck
