#pragma once

// Engine internal: includes duckdb.h.

#include <duckdb.h>
#include <string_view>

namespace deltaduck {

//! The bytes of a DuckDB string value: inline up to 12 bytes, else behind a pointer.
inline std::string_view StringOf(const duckdb_string_t &value) {
	uint32_t length = value.value.inlined.length;
	if (length <= 12) {
		return {value.value.inlined.inlined, length};
	}
	return {value.value.pointer.ptr, length};
}

} // namespace deltaduck
