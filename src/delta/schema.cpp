#include "delta/schema.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"

#include <nlohmann/json.hpp>

namespace deltaduck::delta {

namespace {

using nlohmann::json;

std::shared_ptr<const DataType> ParseType(const json &type);

StructField ParseField(const json &field) {
	if (!field.is_object() || !field.contains("name") || !field.contains("type")) {
		throw CorruptError("malformed schema: a struct field lacks a name or type: " + field.dump().substr(0, 200));
	}
	StructField result;
	result.name = field.at("name").get<std::string>();
	result.type = ParseType(field.at("type"));
	result.nullable = field.value("nullable", true);
	if (auto metadata = field.find("metadata"); metadata != field.end() && metadata->is_object()) {
		if (auto physical = metadata->find("delta.columnMapping.physicalName");
		    physical != metadata->end() && physical->is_string()) {
			result.physical_name = physical->get<std::string>();
		}
		if (auto id = metadata->find("delta.columnMapping.id"); id != metadata->end() && id->is_number_integer()) {
			result.field_id = id->get<int64_t>();
		}
	}
	return result;
}

std::shared_ptr<const DataType> ParseType(const json &type) {
	auto result = std::make_shared<DataType>();
	if (type.is_string()) {
		auto name = type.get<std::string>();
		static const char *PRIMITIVES[] = {"string",    "long",          "integer", "short",  "byte",
		                                   "float",     "double",        "boolean", "binary", "date",
		                                   "timestamp", "timestamp_ntz", "void"};
		for (const char *primitive : PRIMITIVES) {
			if (name == primitive) {
				result->name = name;
				return result;
			}
		}
		int precision = 0, scale = 0;
		if (std::sscanf(name.c_str(), "decimal(%d,%d)", &precision, &scale) == 2 ||
		    std::sscanf(name.c_str(), "decimal(%d, %d)", &precision, &scale) == 2) {
			if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
				throw CorruptError("malformed schema: invalid decimal type " + name);
			}
			result->kind = DataType::Kind::DECIMAL;
			result->name = "decimal";
			result->precision = precision;
			result->scale = scale;
			return result;
		}
		if (name == "decimal") {
			result->kind = DataType::Kind::DECIMAL;
			result->name = "decimal";
			result->precision = 10;
			result->scale = 0;
			return result;
		}
		throw UnsupportedError("unsupported Delta data type: " + name);
	}
	if (!type.is_object() || !type.contains("type")) {
		throw CorruptError("malformed schema: unrecognised type " + type.dump().substr(0, 200));
	}
	auto kind = type.at("type").get<std::string>();
	if (kind == "struct") {
		result->kind = DataType::Kind::STRUCT;
		for (const auto &field : type.value("fields", json::array())) {
			result->fields.push_back(ParseField(field));
		}
	} else if (kind == "array") {
		result->kind = DataType::Kind::ARRAY;
		result->element = ParseType(type.at("elementType"));
		result->contains_null = type.value("containsNull", true);
	} else if (kind == "map") {
		result->kind = DataType::Kind::MAP;
		result->key = ParseType(type.at("keyType"));
		result->value = ParseType(type.at("valueType"));
		result->value_contains_null = type.value("valueContainsNull", true);
	} else {
		throw UnsupportedError("unsupported Delta data type: " + kind);
	}
	return result;
}

} // namespace

std::string DataType::ToDuckDB() const {
	switch (kind) {
	case Kind::DECIMAL:
		return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
	case Kind::ARRAY:
		return element->ToDuckDB() + "[]";
	case Kind::MAP:
		return "MAP(" + key->ToDuckDB() + ", " + value->ToDuckDB() + ")";
	case Kind::STRUCT: {
		std::string out = "STRUCT(";
		for (size_t i = 0; i < fields.size(); i++) {
			out += (i ? ", " : "") + QuoteIdentifier(fields[i].name) + " " + fields[i].type->ToDuckDB();
		}
		return out + ")";
	}
	case Kind::PRIMITIVE:
		break;
	}
	if (name == "string") {
		return "VARCHAR";
	}
	if (name == "long") {
		return "BIGINT";
	}
	if (name == "integer") {
		return "INTEGER";
	}
	if (name == "short") {
		return "SMALLINT";
	}
	if (name == "byte") {
		return "TINYINT";
	}
	if (name == "float") {
		return "FLOAT";
	}
	if (name == "double") {
		return "DOUBLE";
	}
	if (name == "boolean") {
		return "BOOLEAN";
	}
	if (name == "binary") {
		return "BLOB";
	}
	if (name == "date") {
		return "DATE";
	}
	if (name == "timestamp") {
		return "TIMESTAMP WITH TIME ZONE";
	}
	if (name == "timestamp_ntz") {
		return "TIMESTAMP";
	}
	return "\"NULL\"";
}

bool DataType::UsesTimestampNtz() const {
	switch (kind) {
	case Kind::PRIMITIVE:
		return name == "timestamp_ntz";
	case Kind::DECIMAL:
		return false;
	case Kind::ARRAY:
		return element->UsesTimestampNtz();
	case Kind::MAP:
		return key->UsesTimestampNtz() || value->UsesTimestampNtz();
	case Kind::STRUCT:
		for (const auto &field : fields) {
			if (field.type->UsesTimestampNtz()) {
				return true;
			}
		}
		return false;
	}
	return false;
}

Schema Schema::Parse(const std::string &schema_string) {
	json parsed;
	try {
		parsed = json::parse(schema_string);
	} catch (const json::exception &e) {
		throw CorruptError(std::string("malformed schema string: ") + e.what());
	}
	auto type = ParseType(parsed);
	if (type->kind != DataType::Kind::STRUCT) {
		throw CorruptError("malformed schema: the top-level type is not a struct");
	}
	return Schema{type->fields};
}

const StructField *Schema::Find(const std::string &name) const {
	for (const auto &field : fields) {
		if (field.name == name) {
			return &field;
		}
	}
	return nullptr;
}

} // namespace deltaduck::delta
