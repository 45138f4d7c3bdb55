#pragma once

// Engine-internal: the duckdb_result a QueryResult owns.

#include "engine/query_result.hpp"

#include <duckdb.h>

namespace deltaduck {

struct QueryResult::Impl {
	duckdb_result result{};
	Impl() = default;
	Impl(const Impl &) = delete;
	Impl &operator=(const Impl &) = delete;
	~Impl();
};

} // namespace deltaduck
