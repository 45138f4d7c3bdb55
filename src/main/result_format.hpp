#pragma once

#include "engine/query_result.hpp"

#include <cstdint>
#include <ostream>
#include <string>

namespace deltaduck {

//! How `deltaduck query` prints a result.
enum class OutputFormat { TABLE, CSV, JSON };

//! Parses "table", "csv" or "json".
OutputFormat ParseOutputFormat(const std::string &name);

//! Streams `result` to `out` chunk by chunk. TABLE keeps at most `table_rows` rows for display and
//! counts the rest; CSV and JSON (one object per line) write every row. Returns the row count.
uint64_t PrintResult(QueryResult &result, OutputFormat format, std::ostream &out, uint64_t table_rows = 40);

} // namespace deltaduck
