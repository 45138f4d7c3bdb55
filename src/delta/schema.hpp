#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck {
struct TypeInfo;
}

namespace deltaduck::delta {

struct StructField;

//! A Delta data type (PROTOCOL.md "Schema Serialization Format").
struct DataType {
	enum class Kind { PRIMITIVE, DECIMAL, STRUCT, ARRAY, MAP };
	Kind kind = Kind::PRIMITIVE;
	//! For primitives: string, long, integer, short, byte, float, double, boolean, binary, date,
	//! timestamp, timestamp_ntz (and void).
	std::string name;
	int precision = 0;
	int scale = 0;
	std::vector<StructField> fields;
	std::shared_ptr<const DataType> element;
	bool contains_null = true;
	std::shared_ptr<const DataType> key;
	std::shared_ptr<const DataType> value;
	bool value_contains_null = true;

	//! The DuckDB type it is read as: `timestamp` is TIMESTAMP WITH TIME ZONE (UTC instants),
	//! `timestamp_ntz` is TIMESTAMP.
	std::string ToDuckDB() const;
	//! Whether the type (or a type nested in it) is `timestamp_ntz`.
	bool UsesTimestampNtz() const;
	//! The protocol's JSON form of the type ("long", "decimal(10,2)", {"type": "array", ...}).
	std::string ToJson() const;
	//! The Delta type a DuckDB column is stored as (unsigned integers widen, ENUM and UUID become strings,
	//! naive timestamps timestamp_ntz); UnsupportedError naming `column` for types Delta cannot store.
	static std::shared_ptr<const DataType> FromDuckDB(const TypeInfo &type, const std::string &column);
};

//! One field of a struct, with its column-mapping metadata.
struct StructField {
	std::string name;
	std::shared_ptr<const DataType> type;
	bool nullable = true;
	//! `delta.columnMapping.physicalName`, if set.
	std::optional<std::string> physical_name;
	//! `delta.columnMapping.id`, if set.
	std::optional<int64_t> field_id;

	//! The name of the column in data files: the physical name under column mapping, else the name.
	const std::string &PhysicalName(bool column_mapping) const {
		return column_mapping && physical_name ? *physical_name : name;
	}
};

//! A table schema: the top-level struct.
struct Schema {
	std::vector<StructField> fields;

	//! Parses `metaData.schemaString`; throws CorruptError on malformed JSON and UnsupportedError on an
	//! unknown type, naming it.
	static Schema Parse(const std::string &schema_string);
	//! The field named `name` (case-sensitive), or null.
	const StructField *Find(const std::string &name) const;
	//! The schema string of a metaData action.
	std::string ToJson() const;
};

} // namespace deltaduck::delta
