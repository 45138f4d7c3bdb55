#pragma once

#include "engine/logical_type.hpp"
#include "engine/query_result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deltaduck {

//! Typed read access to one column of a result chunk (or to a field of a struct column), for code that builds its
//! own structs from rows without encoding them to text first. Covers the types logs and catalogs hold: strings,
//! integers, booleans, structs, and maps of strings. Valid while the chunk lives.
class ColumnView {
public:
	//! Column `index` of `chunk`, whose type is `type` (from QueryResult::Columns()).
	ColumnView(const DataChunk &chunk, uint64_t index, const TypeInfo &type);

	bool IsNull(uint64_t row) const;
	//! A struct's field by name; a view whose rows are all NULL when the struct has no such field.
	ColumnView Field(std::string_view name) const;
	//! VARCHAR or BLOB bytes; InvalidInputError for other types.
	std::string_view String(uint64_t row) const;
	//! Any integer type; InvalidInputError for others (and for unsigned values above INT64_MAX).
	int64_t Int(uint64_t row) const;
	//! BOOLEAN; InvalidInputError for other types.
	bool Bool(uint64_t row) const;
	//! A MAP(VARCHAR, VARCHAR) row: its entries in order, NULL values as nullopt.
	std::vector<std::pair<std::string, std::optional<std::string>>> StringMap(uint64_t row) const;

	//! Reads `row` if it is not NULL.
	std::optional<std::string> OptionalString(uint64_t row) const {
		return IsNull(row) ? std::nullopt : std::optional<std::string>(String(row));
	}
	std::optional<int64_t> OptionalInt(uint64_t row) const {
		return IsNull(row) ? std::nullopt : std::optional<int64_t>(Int(row));
	}
	std::optional<bool> OptionalBool(uint64_t row) const {
		return IsNull(row) ? std::nullopt : std::optional<bool>(Bool(row));
	}

	//! A column that is not there: every row NULL (what Field returns for a missing field).
	ColumnView() = default;

private:
	ColumnView(duckdb_vector vector, const TypeInfo *type);
	[[noreturn]] void WrongType(const char *wanted) const;

	duckdb_vector vector_ = nullptr; // null: a missing field, every row NULL
	const TypeInfo *type_ = nullptr;
	const uint64_t *validity_ = nullptr;
	const void *data_ = nullptr;
};

} // namespace deltaduck
