#pragma once

#include "engine/duckdb_handles.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace deltaduck {

//! A DuckDB type as plain data, for code outside the engine (which cannot include duckdb.h).
struct TypeInfo {
	//! The type without parameters: INTEGER, DECIMAL, VARCHAR, LIST, ARRAY, STRUCT, MAP, UNION, ENUM, ...
	std::string id;
	//! DECIMAL width and scale.
	uint8_t width = 0;
	uint8_t scale = 0;
	//! LIST/ARRAY: one child (""); MAP: "key" and "value"; STRUCT/UNION: the fields.
	std::vector<std::pair<std::string, TypeInfo>> children;
};

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
	//! The type as plain data.
	TypeInfo Describe() const;

private:
	duckdb_logical_type type_;
};

} // namespace deltaduck
