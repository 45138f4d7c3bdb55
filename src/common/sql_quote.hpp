#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace deltaduck {

//! A SQL string literal: 'it''s'. The only way user text enters generated SQL.
std::string QuoteLiteral(std::string_view text);
//! A SQL list of string literals, e.g. of files for read_parquet: ['a.parquet', 'b''s.parquet'].
std::string QuoteList(const std::vector<std::string> &texts);
//! A SQL identifier: "my ""col""".
std::string QuoteIdentifier(std::string_view name);

} // namespace deltaduck
