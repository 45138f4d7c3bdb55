#pragma once

#include <string>
#include <string_view>

namespace deltaduck {

//! A SQL string literal: 'it''s'. The only way user text enters generated SQL.
std::string QuoteLiteral(std::string_view text);
//! A SQL identifier: "my ""col""".
std::string QuoteIdentifier(std::string_view name);

} // namespace deltaduck
