#include "engine/value_encoder.hpp"

#include "common/error.hpp"
#include "engine/duckdb_string.hpp"
#include "engine/logical_type.hpp"
#include "engine/scalar_format.hpp"

#include <charconv>
#include <cmath>

namespace deltaduck {

namespace {

Int128 ToInt128(const duckdb_hugeint &value) {
	return {value.lower, value.upper};
}

Int128 ToInt128(int64_t value) {
	return {static_cast<uint64_t>(value), value < 0 ? -1 : 0};
}

template <class T>
void AppendInteger(std::string &out, T value) {
	char buffer[24];
	auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
	out.append(buffer, end);
}

template <class T>
bool AppendFloating(std::string &out, T value) {
	if (std::isnan(value)) {
		out += "NaN";
		return true;
	}
	if (std::isinf(value)) {
		out += value > 0 ? "Infinity" : "-Infinity";
		return true;
	}
	char buffer[32];
	auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
	out.append(buffer, end);
	return false;
}

constexpr int64_t MAX_EXACT = int64_t(1) << 53;

//! Primitive types: each value renders to text, plus whether JSON must quote that text.
class ScalarEncoder : public ValueEncoder {
public:
	ScalarEncoder(duckdb_logical_type type, NumberStyle style)
	    : type_(duckdb_get_type_id(type)), exact_(style == NumberStyle::EXACT) {
		if (type_ == DUCKDB_TYPE_DECIMAL) {
			decimal_scale_ = duckdb_decimal_scale(type);
			decimal_width_ = duckdb_decimal_width(type);
			physical_ = duckdb_decimal_internal_type(type);
		} else if (type_ == DUCKDB_TYPE_ENUM) {
			physical_ = duckdb_enum_internal_type(type);
			for (uint32_t i = 0; i < duckdb_enum_dictionary_size(type); i++) {
				char *value = duckdb_enum_dictionary_value(type, i);
				enum_values_.emplace_back(value);
				duckdb_free(value);
			}
		}
	}

	void WriteJson(JsonWriter &json, uint64_t row) override {
		if (IsNull(row)) {
			json.Null();
			return;
		}
		scratch_.clear();
		if (Format(scratch_, row)) {
			json.String(scratch_);
		} else {
			json.Raw(scratch_);
		}
	}

	bool WriteText(std::string &out, uint64_t row) override {
		if (IsNull(row)) {
			return false;
		}
		Format(out, row);
		return true;
	}

private:
	template <class T>
	T Get(uint64_t row) const {
		return static_cast<const T *>(data_)[row];
	}

	uint64_t EnumIndex(uint64_t row) const {
		switch (physical_) {
		case DUCKDB_TYPE_UTINYINT:
			return Get<uint8_t>(row);
		case DUCKDB_TYPE_USMALLINT:
			return Get<uint16_t>(row);
		default:
			return Get<uint32_t>(row);
		}
	}

	Int128 DecimalValue(uint64_t row) const {
		switch (physical_) {
		case DUCKDB_TYPE_SMALLINT:
			return ToInt128(Get<int16_t>(row));
		case DUCKDB_TYPE_INTEGER:
			return ToInt128(Get<int32_t>(row));
		case DUCKDB_TYPE_BIGINT:
			return ToInt128(Get<int64_t>(row));
		default:
			return ToInt128(Get<duckdb_hugeint>(row));
		}
	}

	//! Appends the value's text; returns true when JSON must quote it.
	bool Format(std::string &out, uint64_t row) {
		switch (type_) {
		case DUCKDB_TYPE_BOOLEAN:
			out += Get<bool>(row) ? "true" : "false";
			return false;
		case DUCKDB_TYPE_TINYINT:
			AppendInteger(out, Get<int8_t>(row));
			return false;
		case DUCKDB_TYPE_SMALLINT:
			AppendInteger(out, Get<int16_t>(row));
			return false;
		case DUCKDB_TYPE_INTEGER:
			AppendInteger(out, Get<int32_t>(row));
			return false;
		case DUCKDB_TYPE_BIGINT: {
			auto value = Get<int64_t>(row);
			AppendInteger(out, value);
			return !exact_ && (value > MAX_EXACT || value < -MAX_EXACT);
		}
		case DUCKDB_TYPE_UTINYINT:
			AppendInteger(out, Get<uint8_t>(row));
			return false;
		case DUCKDB_TYPE_USMALLINT:
			AppendInteger(out, Get<uint16_t>(row));
			return false;
		case DUCKDB_TYPE_UINTEGER:
			AppendInteger(out, Get<uint32_t>(row));
			return false;
		case DUCKDB_TYPE_UBIGINT: {
			auto value = Get<uint64_t>(row);
			AppendInteger(out, value);
			return !exact_ && value > static_cast<uint64_t>(MAX_EXACT);
		}
		case DUCKDB_TYPE_HUGEINT: {
			auto value = ToInt128(Get<duckdb_hugeint>(row));
			AppendInt128(out, value);
			return !exact_ && !FitsDouble(value);
		}
		case DUCKDB_TYPE_UHUGEINT: {
			auto value = Get<duckdb_uhugeint>(row);
			AppendUInt128(out, value.lower, value.upper);
			return !exact_ && (value.upper != 0 || value.lower > static_cast<uint64_t>(MAX_EXACT));
		}
		case DUCKDB_TYPE_FLOAT:
			return AppendFloating(out, Get<float>(row));
		case DUCKDB_TYPE_DOUBLE:
			return AppendFloating(out, Get<double>(row));
		case DUCKDB_TYPE_DECIMAL:
			AppendDecimal(out, DecimalValue(row), decimal_scale_);
			// Up to 15 significant digits survive a round trip through a double.
			return !exact_ && decimal_width_ > 15;
		case DUCKDB_TYPE_DATE:
			AppendDate(out, Get<int32_t>(row));
			return true;
		case DUCKDB_TYPE_TIME:
			AppendTimeOfDay(out, Get<int64_t>(row), TimeUnit::MICROS);
			return true;
		case DUCKDB_TYPE_TIME_NS:
			AppendTimeOfDay(out, Get<int64_t>(row), TimeUnit::NANOS);
			return true;
		case DUCKDB_TYPE_TIME_TZ: {
			auto value = duckdb_from_time_tz(Get<duckdb_time_tz>(row));
			AppendTimeOfDay(out, duckdb_to_time(value.time).micros, TimeUnit::MICROS);
			AppendUtcOffset(out, value.offset);
			return true;
		}
		case DUCKDB_TYPE_TIMESTAMP:
			AppendTimestamp(out, Get<int64_t>(row), TimeUnit::MICROS, "");
			return true;
		case DUCKDB_TYPE_TIMESTAMP_S:
			AppendTimestamp(out, Get<int64_t>(row), TimeUnit::SECONDS, "");
			return true;
		case DUCKDB_TYPE_TIMESTAMP_MS:
			AppendTimestamp(out, Get<int64_t>(row), TimeUnit::MILLIS, "");
			return true;
		case DUCKDB_TYPE_TIMESTAMP_NS:
			AppendTimestamp(out, Get<int64_t>(row), TimeUnit::NANOS, "");
			return true;
		case DUCKDB_TYPE_TIMESTAMP_TZ:
			// Stored as UTC micros: shown in UTC, whatever the session time zone.
			AppendTimestamp(out, Get<int64_t>(row), TimeUnit::MICROS, "Z");
			return true;
		case DUCKDB_TYPE_INTERVAL: {
			auto value = Get<duckdb_interval>(row);
			AppendInterval(out, value.months, value.days, value.micros);
			return true;
		}
		case DUCKDB_TYPE_UUID:
			AppendUuid(out, ToInt128(Get<duckdb_hugeint>(row)));
			return true;
		case DUCKDB_TYPE_VARCHAR:
			out += StringOf(Get<duckdb_string_t>(row));
			return true;
		case DUCKDB_TYPE_BLOB:
			AppendBase64(out, StringOf(Get<duckdb_string_t>(row)));
			return true;
		case DUCKDB_TYPE_BIT:
			AppendBits(out, StringOf(Get<duckdb_string_t>(row)));
			return true;
		case DUCKDB_TYPE_BIGNUM:
			return !AppendBignum(out, StringOf(Get<duckdb_string_t>(row))) && !exact_;
		case DUCKDB_TYPE_ENUM:
			out += enum_values_[EnumIndex(row)];
			return true;
		default:
			throw UnsupportedError("cannot encode values of DuckDB type id " + std::to_string(type_));
		}
	}

	duckdb_type type_;
	bool exact_;
	duckdb_type physical_ = DUCKDB_TYPE_INVALID;
	uint8_t decimal_scale_ = 0;
	uint8_t decimal_width_ = 0;
	std::vector<std::string> enum_values_;
	std::string scratch_;
};

class NullEncoder : public ValueEncoder {
public:
	void WriteJson(JsonWriter &json, uint64_t) override {
		json.Null();
	}
	bool WriteText(std::string &, uint64_t) override {
		return false;
	}
};

class ListEncoder : public ValueEncoder {
public:
	ListEncoder(duckdb_logical_type type, NumberStyle style) {
		LogicalType child(duckdb_list_type_child_type(type));
		child_ = Create(child.Get(), style);
	}
	void Bind(duckdb_vector vector) override {
		ValueEncoder::Bind(vector);
		child_->Bind(duckdb_list_vector_get_child(vector));
	}
	void WriteJson(JsonWriter &json, uint64_t row) override {
		if (IsNull(row)) {
			json.Null();
			return;
		}
		auto entry = static_cast<const duckdb_list_entry *>(data_)[row];
		json.BeginArray();
		for (uint64_t i = entry.offset; i < entry.offset + entry.length; i++) {
			child_->WriteJson(json, i);
		}
		json.EndArray();
	}

private:
	std::unique_ptr<ValueEncoder> child_;
};

class ArrayEncoder : public ValueEncoder {
public:
	ArrayEncoder(duckdb_logical_type type, NumberStyle style) : size_(duckdb_array_type_array_size(type)) {
		LogicalType child(duckdb_array_type_child_type(type));
		child_ = Create(child.Get(), style);
	}
	void Bind(duckdb_vector vector) override {
		ValueEncoder::Bind(vector);
		child_->Bind(duckdb_array_vector_get_child(vector));
	}
	void WriteJson(JsonWriter &json, uint64_t row) override {
		if (IsNull(row)) {
			json.Null();
			return;
		}
		json.BeginArray();
		for (uint64_t i = row * size_; i < (row + 1) * size_; i++) {
			child_->WriteJson(json, i);
		}
		json.EndArray();
	}

private:
	uint64_t size_;
	std::unique_ptr<ValueEncoder> child_;
};

class StructEncoder : public ValueEncoder {
public:
	StructEncoder(duckdb_logical_type type, NumberStyle style) {
		for (idx_t i = 0; i < duckdb_struct_type_child_count(type); i++) {
			char *name = duckdb_struct_type_child_name(type, i);
			names_.emplace_back(name);
			duckdb_free(name);
			LogicalType child(duckdb_struct_type_child_type(type, i));
			children_.push_back(Create(child.Get(), style));
		}
	}
	void Bind(duckdb_vector vector) override {
		ValueEncoder::Bind(vector);
		for (idx_t i = 0; i < children_.size(); i++) {
			children_[i]->Bind(duckdb_struct_vector_get_child(vector, i));
		}
	}
	void WriteJson(JsonWriter &json, uint64_t row) override {
		if (IsNull(row)) {
			json.Null();
			return;
		}
		json.BeginObject();
		for (idx_t i = 0; i < children_.size(); i++) {
			json.Key(names_[i]);
			children_[i]->WriteJson(json, row);
		}
		json.EndObject();
	}

private:
	std::vector<std::string> names_;
	std::vector<std::unique_ptr<ValueEncoder>> children_;
};

//! MAP is a list of {key, value} structs; like DuckDB's to_json it becomes an object keyed by the key's text.
class MapEncoder : public ValueEncoder {
public:
	MapEncoder(duckdb_logical_type type, NumberStyle style) {
		LogicalType key(duckdb_map_type_key_type(type));
		LogicalType value(duckdb_map_type_value_type(type));
		key_ = Create(key.Get(), style);
		value_ = Create(value.Get(), style);
	}
	void Bind(duckdb_vector vector) override {
		ValueEncoder::Bind(vector);
		auto entries = duckdb_list_vector_get_child(vector);
		key_->Bind(duckdb_struct_vector_get_child(entries, 0));
		value_->Bind(duckdb_struct_vector_get_child(entries, 1));
	}
	void WriteJson(JsonWriter &json, uint64_t row) override {
		if (IsNull(row)) {
			json.Null();
			return;
		}
		auto entry = static_cast<const duckdb_list_entry *>(data_)[row];
		json.BeginObject();
		for (uint64_t i = entry.offset; i < entry.offset + entry.length; i++) {
			key_text_.clear();
			key_->WriteText(key_text_, i);
			json.Key(key_text_);
			value_->WriteJson(json, i);
		}
		json.EndObject();
	}

private:
	std::unique_ptr<ValueEncoder> key_;
	std::unique_ptr<ValueEncoder> value_;
	std::string key_text_;
};

//! UNION is a struct whose first child is the tag; like DuckDB's to_json it becomes the active member's value.
class UnionEncoder : public ValueEncoder {
public:
	UnionEncoder(duckdb_logical_type type, NumberStyle style) {
		for (idx_t i = 0; i < duckdb_union_type_member_count(type); i++) {
			LogicalType member(duckdb_union_type_member_type(type, i));
			members_.push_back(Create(member.Get(), style));
		}
	}
	void Bind(duckdb_vector vector) override {
		ValueEncoder::Bind(vector);
		tags_ = static_cast<const uint8_t *>(duckdb_vector_get_data(duckdb_struct_vector_get_child(vector, 0)));
		for (idx_t i = 0; i < members_.size(); i++) {
			members_[i]->Bind(duckdb_struct_vector_get_child(vector, i + 1));
		}
	}
	void WriteJson(JsonWriter &json, uint64_t row) override {
		if (IsNull(row)) {
			json.Null();
			return;
		}
		members_[tags_[row]]->WriteJson(json, row);
	}

private:
	const uint8_t *tags_ = nullptr;
	std::vector<std::unique_ptr<ValueEncoder>> members_;
};

} // namespace

std::unique_ptr<ValueEncoder> ValueEncoder::Create(duckdb_logical_type type, NumberStyle style) {
	switch (duckdb_get_type_id(type)) {
	case DUCKDB_TYPE_LIST:
		return std::make_unique<ListEncoder>(type, style);
	case DUCKDB_TYPE_ARRAY:
		return std::make_unique<ArrayEncoder>(type, style);
	case DUCKDB_TYPE_STRUCT:
		return std::make_unique<StructEncoder>(type, style);
	case DUCKDB_TYPE_MAP:
		return std::make_unique<MapEncoder>(type, style);
	case DUCKDB_TYPE_UNION:
		return std::make_unique<UnionEncoder>(type, style);
	case DUCKDB_TYPE_SQLNULL:
		return std::make_unique<NullEncoder>();
	default:
		return std::make_unique<ScalarEncoder>(type, style);
	}
}

void ValueEncoder::Bind(duckdb_vector vector) {
	validity_ = duckdb_vector_get_validity(vector);
	data_ = duckdb_vector_get_data(vector);
}

bool ValueEncoder::WriteText(std::string &out, uint64_t row) {
	if (IsNull(row)) {
		return false;
	}
	JsonWriter json(out);
	WriteJson(json, row);
	return true;
}

bool ValueEncoder::IsNull(uint64_t row) const {
	return validity_ && !duckdb_validity_row_is_valid(validity_, row);
}

RowEncoder::RowEncoder(const std::vector<ResultColumn> &columns, NumberStyle style) {
	for (const auto &column : columns) {
		names_.push_back(column.name);
		encoders_.push_back(ValueEncoder::Create(column.type.Get(), style));
	}
}

void RowEncoder::Bind(const DataChunk &chunk) {
	for (size_t i = 0; i < encoders_.size(); i++) {
		encoders_[i]->Bind(chunk.Column(i));
	}
}

void RowEncoder::WriteArray(JsonWriter &json, uint64_t row) {
	json.BeginArray();
	for (auto &encoder : encoders_) {
		encoder->WriteJson(json, row);
	}
	json.EndArray();
}

void RowEncoder::WriteObject(JsonWriter &json, uint64_t row) {
	json.BeginObject();
	for (size_t i = 0; i < encoders_.size(); i++) {
		json.Key(names_[i]);
		encoders_[i]->WriteJson(json, row);
	}
	json.EndObject();
}

} // namespace deltaduck
