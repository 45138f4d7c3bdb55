#include "delta/schema.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "engine/logical_type.hpp"

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

std::string DataType::ToJson() const {
	switch (kind) {
	case Kind::PRIMITIVE:
		return json(name).dump();
	case Kind::DECIMAL:
		return json("decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")").dump();
	case Kind::ARRAY:
		return R"({"type":"array","elementType":)" + element->ToJson() + R"(,"containsNull":)" +
		       (contains_null ? "true" : "false") + "}";
	case Kind::MAP:
		return R"({"type":"map","keyType":)" + key->ToJson() + R"(,"valueType":)" + value->ToJson() +
		       R"(,"valueContainsNull":)" + (value_contains_null ? "true" : "false") + "}";
	case Kind::STRUCT: {
		std::string out = R"({"type":"struct","fields":[)";
		for (size_t i = 0; i < fields.size(); i++) {
			out += (i ? "," : "") + std::string(R"({"name":)") + json(fields[i].name).dump() + R"(,"type":)" +
			       fields[i].type->ToJson() + R"(,"nullable":)" + (fields[i].nullable ? "true" : "false") +
			       R"(,"metadata":{}})";
		}
		return out + "]}";
	}
	}
	return "null";
}

std::shared_ptr<const DataType> DataType::FromDuckDB(const TypeInfo &type, const std::string &column) {
	auto result = std::make_shared<DataType>();
	auto primitive = [&](const char *name) {
		result->name = name;
		return result;
	};
	auto decimal = [&](int precision, int scale) {
		result->kind = Kind::DECIMAL;
		result->name = "decimal";
		result->precision = precision;
		result->scale = scale;
		return result;
	};
	const auto &id = type.id;
	if (id == "BOOLEAN") {
		return primitive("boolean");
	}
	if (id == "TINYINT") {
		return primitive("byte");
	}
	if (id == "SMALLINT" || id == "UTINYINT") {
		return primitive("short");
	}
	if (id == "INTEGER" || id == "USMALLINT") {
		return primitive("integer");
	}
	if (id == "BIGINT" || id == "UINTEGER") {
		return primitive("long");
	}
	if (id == "UBIGINT") {
		return decimal(20, 0);
	}
	if (id == "HUGEINT") {
		return decimal(38, 0);
	}
	if (id == "FLOAT") {
		return primitive("float");
	}
	if (id == "DOUBLE") {
		return primitive("double");
	}
	if (id == "DECIMAL") {
		return decimal(type.width, type.scale);
	}
	if (id == "VARCHAR" || id == "ENUM" || id == "UUID") {
		return primitive("string");
	}
	if (id == "BLOB") {
		return primitive("binary");
	}
	if (id == "DATE") {
		return primitive("date");
	}
	if (id == "TIMESTAMP" || id == "TIMESTAMP_S" || id == "TIMESTAMP_MS" || id == "TIMESTAMP_NS") {
		return primitive("timestamp_ntz");
	}
	if (id == "TIMESTAMP WITH TIME ZONE") {
		return primitive("timestamp");
	}
	if (id == "LIST" || id == "ARRAY") {
		result->kind = Kind::ARRAY;
		result->element = FromDuckDB(type.children.at(0).second, column);
		return result;
	}
	if (id == "MAP") {
		result->kind = Kind::MAP;
		result->key = FromDuckDB(type.children.at(0).second, column);
		result->value = FromDuckDB(type.children.at(1).second, column);
		return result;
	}
	if (id == "STRUCT") {
		result->kind = Kind::STRUCT;
		for (const auto &[name, child] : type.children) {
			StructField field;
			field.name = name;
			field.type = FromDuckDB(child, column + "." + name);
			result->fields.push_back(std::move(field));
		}
		return result;
	}
	if (id == "\"NULL\"") {
		throw UnsupportedError("column " + column + " has no type (only NULLs): cast it, e.g. CAST(NULL AS VARCHAR)");
	}
	throw UnsupportedError("column " + column + " has type " + id +
	                       ", which a Delta table cannot store: cast it to a supported type");
}

std::string Schema::ToJson() const {
	DataType root;
	root.kind = DataType::Kind::STRUCT;
	root.fields = fields;
	return root.ToJson();
}

} // namespace deltaduck::delta
