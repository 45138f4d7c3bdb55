#pragma once

// Engine-internal: maps DuckDB's error types onto ours. Includes duckdb.h, so only engine sources use it.

#include <duckdb.h>
#include <string>

namespace deltaduck {

//! Throws the typed error matching a DuckDB error type, keeping DuckDB's message.
[[noreturn]] void ThrowDuckDBError(duckdb_error_type type, const std::string &message);
//! Throws a prepare/parse error; DuckDB gives only its text ("Catalog Error: ..."), so the type comes from its prefix.
[[noreturn]] void ThrowPrepareError(const std::string &message);
//! Throws the error held by a failed result.
[[noreturn]] void ThrowResultError(duckdb_result &result);

} // namespace deltaduck
