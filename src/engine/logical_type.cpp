#include "engine/logical_type.hpp"

#include "common/json_writer.hpp"
#include "common/sql_quote.hpp"

#include <duckdb.h>
#include <utility>

namespace deltaduck {

LogicalType::~LogicalType() {
	if (type_) {
		duckdb_destroy_logical_type(&type_);
	}
}

LogicalType &LogicalType::operator=(LogicalType &&other) noexcept {
	std::swap(type_, other.type_);
	return *this;
}

//! Takes a string DuckDB allocated, frees it.
static std::string TakeString(char *text) {
	std::string result = text ? text : "";
	duckdb_free(text);
	return result;
}

static std::string TypeIdName(duckdb_type id) {
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN:
		return "BOOLEAN";
	case DUCKDB_TYPE_TINYINT:
		return "TINYINT";
	case DUCKDB_TYPE_SMALLINT:
		return "SMALLINT";
	case DUCKDB_TYPE_INTEGER:
		return "INTEGER";
	case DUCKDB_TYPE_BIGINT:
		return "BIGINT";
	case DUCKDB_TYPE_UTINYINT:
		return "UTINYINT";
	case DUCKDB_TYPE_USMALLINT:
		return "USMALLINT";
	case DUCKDB_TYPE_UINTEGER:
		return "UINTEGER";
	case DUCKDB_TYPE_UBIGINT:
		return "UBIGINT";
	case DUCKDB_TYPE_FLOAT:
		return "FLOAT";
	case DUCKDB_TYPE_DOUBLE:
		return "DOUBLE";
	case DUCKDB_TYPE_TIMESTAMP:
		return "TIMESTAMP";
	case DUCKDB_TYPE_DATE:
		return "DATE";
	case DUCKDB_TYPE_TIME:
		return "TIME";
	case DUCKDB_TYPE_INTERVAL:
		return "INTERVAL";
	case DUCKDB_TYPE_HUGEINT:
		return "HUGEINT";
	case DUCKDB_TYPE_UHUGEINT:
		return "UHUGEINT";
	case DUCKDB_TYPE_VARCHAR:
		return "VARCHAR";
	case DUCKDB_TYPE_BLOB:
		return "BLOB";
	case DUCKDB_TYPE_TIMESTAMP_S:
		return "TIMESTAMP_S";
	case DUCKDB_TYPE_TIMESTAMP_MS:
		return "TIMESTAMP_MS";
	case DUCKDB_TYPE_TIMESTAMP_NS:
		return "TIMESTAMP_NS";
	case DUCKDB_TYPE_UUID:
		return "UUID";
	case DUCKDB_TYPE_BIT:
		return "BIT";
	case DUCKDB_TYPE_TIME_TZ:
		return "TIME WITH TIME ZONE";
	case DUCKDB_TYPE_TIMESTAMP_TZ:
		return "TIMESTAMP WITH TIME ZONE";
	case DUCKDB_TYPE_BIGNUM:
		return "BIGNUM";
	case DUCKDB_TYPE_SQLNULL:
		return "\"NULL\"";
	case DUCKDB_TYPE_TIME_NS:
		return "TIME_NS";
	default:
		return "UNKNOWN";
	}
}

std::string LogicalType::ToString() const {
	if (!type_) {
		return "UNKNOWN";
	}
	auto alias = TakeString(duckdb_logical_type_get_alias(type_));
	if (!alias.empty()) {
		return alias;
	}
	auto id = duckdb_get_type_id(type_);
	switch (id) {
	case DUCKDB_TYPE_DECIMAL:
		return "DECIMAL(" + std::to_string(duckdb_decimal_width(type_)) + "," +
		       std::to_string(duckdb_decimal_scale(type_)) + ")";
	case DUCKDB_TYPE_ENUM: {
		std::string out = "ENUM(";
		for (uint32_t i = 0; i < duckdb_enum_dictionary_size(type_); i++) {
			out += (i ? ", " : "") + QuoteLiteral(TakeString(duckdb_enum_dictionary_value(type_, i)));
		}
		return out + ")";
	}
	case DUCKDB_TYPE_LIST:
		return LogicalType(duckdb_list_type_child_type(type_)).ToString() + "[]";
	case DUCKDB_TYPE_ARRAY:
		return LogicalType(duckdb_array_type_child_type(type_)).ToString() + "[" +
		       std::to_string(duckdb_array_type_array_size(type_)) + "]";
	case DUCKDB_TYPE_MAP:
		return "MAP(" + LogicalType(duckdb_map_type_key_type(type_)).ToString() + ", " +
		       LogicalType(duckdb_map_type_value_type(type_)).ToString() + ")";
	case DUCKDB_TYPE_STRUCT:
	case DUCKDB_TYPE_UNION: {
		bool is_struct = id == DUCKDB_TYPE_STRUCT;
		idx_t count = is_struct ? duckdb_struct_type_child_count(type_) : duckdb_union_type_member_count(type_);
		std::string out = is_struct ? "STRUCT(" : "UNION(";
		for (idx_t i = 0; i < count; i++) {
			auto name = TakeString(is_struct ? duckdb_struct_type_child_name(type_, i)
			                                 : duckdb_union_type_member_name(type_, i));
			LogicalType child(is_struct ? duckdb_struct_type_child_type(type_, i)
			                            : duckdb_union_type_member_type(type_, i));
			out += (i ? ", " : "") + QuoteIdentifier(name) + " " + child.ToString();
		}
		return out + ")";
	}
	default:
		return TypeIdName(id);
	}
}

TypeInfo LogicalType::Describe() const {
	TypeInfo info;
	auto id = duckdb_get_type_id(type_);
	switch (id) {
	case DUCKDB_TYPE_DECIMAL:
		info.id = "DECIMAL";
		info.width = duckdb_decimal_width(type_);
		info.scale = duckdb_decimal_scale(type_);
		break;
	case DUCKDB_TYPE_ENUM:
		info.id = "ENUM";
		break;
	case DUCKDB_TYPE_LIST:
		info.id = "LIST";
		info.children.emplace_back("", LogicalType(duckdb_list_type_child_type(type_)).Describe());
		break;
	case DUCKDB_TYPE_ARRAY:
		info.id = "ARRAY";
		info.children.emplace_back("", LogicalType(duckdb_array_type_child_type(type_)).Describe());
		break;
	case DUCKDB_TYPE_MAP:
		info.id = "MAP";
		info.children.emplace_back("key", LogicalType(duckdb_map_type_key_type(type_)).Describe());
		info.children.emplace_back("value", LogicalType(duckdb_map_type_value_type(type_)).Describe());
		break;
	case DUCKDB_TYPE_STRUCT:
		info.id = "STRUCT";
		for (idx_t i = 0; i < duckdb_struct_type_child_count(type_); i++) {
			info.children.emplace_back(TakeString(duckdb_struct_type_child_name(type_, i)),
			                           LogicalType(duckdb_struct_type_child_type(type_, i)).Describe());
		}
		break;
	case DUCKDB_TYPE_UNION:
		info.id = "UNION";
		break;
	default:
		info.id = TypeIdName(id);
	}
	return info;
}

} // namespace deltaduck
