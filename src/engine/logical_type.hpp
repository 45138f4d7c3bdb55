#pragma once

#include "engine/duckdb_handles.hpp"

#include <string>

namespace deltaduck {

//! Owns a duckdb_logical_type.
class LogicalType {
public:
	//! Takes ownership of `type` (may be null).
	explicit LogicalType(duckdb_logical_type type = nullptr) : type_(type) {
	}
	~LogicalType();
	LogicalType(LogicalType &&other) noexcept : type_(other.type_) {
		other.type_ = nullptr;
	}
	LogicalType &operator=(LogicalType &&other) noexcept;
	LogicalType(const LogicalType &) = delete;
	LogicalType &operator=(const LogicalType &) = delete;

	//! The borrowed C handle.
	duckdb_logical_type Get() const {
		return type_;
	}
	//! The SQL spelling DuckDB uses, e.g. `DECIMAL(18,3)`, `STRUCT(a INTEGER)`, `INTEGER[]`.
	std::string ToString() const;

private:
	duckdb_logical_type type_;
};

} // namespace deltaduck
