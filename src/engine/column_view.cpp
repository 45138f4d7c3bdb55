#include "engine/column_view.hpp"

#include "common/error.hpp"
#include "engine/duckdb_string.hpp"

#include <limits>

namespace deltaduck {

ColumnView::ColumnView(const DataChunk &chunk, uint64_t index, const TypeInfo &type)
    : ColumnView(chunk.Column(index), &type) {
}

ColumnView::ColumnView(duckdb_vector vector, const TypeInfo *type)
    : vector_(vector), type_(type), validity_(duckdb_vector_get_validity(vector)),
      data_(duckdb_vector_get_data(vector)) {
}

bool ColumnView::IsNull(uint64_t row) const {
	return !vector_ || (validity_ && !duckdb_validity_row_is_valid(const_cast<uint64_t *>(validity_), row));
}

ColumnView ColumnView::Field(std::string_view name) const {
	if (!vector_) {
		return {};
	}
	if (type_->id != "STRUCT") {
		WrongType("STRUCT");
	}
	for (size_t i = 0; i < type_->children.size(); i++) {
		if (type_->children[i].first == name) {
			return ColumnView(duckdb_struct_vector_get_child(vector_, i), &type_->children[i].second);
		}
	}
	return {};
}

std::string_view ColumnView::String(uint64_t row) const {
	if (type_->id != "VARCHAR" && type_->id != "BLOB") {
		WrongType("VARCHAR");
	}
	return StringOf(static_cast<const duckdb_string_t *>(data_)[row]);
}

int64_t ColumnView::Int(uint64_t row) const {
	const auto &id = type_->id;
	if (id == "BIGINT") {
		return static_cast<const int64_t *>(data_)[row];
	} else if (id == "INTEGER") {
		return static_cast<const int32_t *>(data_)[row];
	} else if (id == "SMALLINT") {
		return static_cast<const int16_t *>(data_)[row];
	} else if (id == "TINYINT") {
		return static_cast<const int8_t *>(data_)[row];
	} else if (id == "UINTEGER") {
		return static_cast<const uint32_t *>(data_)[row];
	} else if (id == "USMALLINT") {
		return static_cast<const uint16_t *>(data_)[row];
	} else if (id == "UTINYINT") {
		return static_cast<const uint8_t *>(data_)[row];
	} else if (id == "UBIGINT") {
		auto value = static_cast<const uint64_t *>(data_)[row];
		if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
			throw InvalidInputError("value " + std::to_string(value) + " does not fit a signed 64-bit integer");
		}
		return static_cast<int64_t>(value);
	}
	WrongType("an integer type");
}

bool ColumnView::Bool(uint64_t row) const {
	if (type_->id != "BOOLEAN") {
		WrongType("BOOLEAN");
	}
	return static_cast<const bool *>(data_)[row];
}

std::vector<std::pair<std::string, std::optional<std::string>>> ColumnView::StringMap(uint64_t row) const {
	if (type_->id != "MAP") {
		WrongType("MAP");
	}
	auto entry = static_cast<const duckdb_list_entry *>(data_)[row];
	auto entries = duckdb_list_vector_get_child(vector_);
	ColumnView keys(duckdb_struct_vector_get_child(entries, 0), &type_->children[0].second);
	ColumnView values(duckdb_struct_vector_get_child(entries, 1), &type_->children[1].second);
	std::vector<std::pair<std::string, std::optional<std::string>>> result;
	result.reserve(entry.length);
	for (uint64_t i = entry.offset; i < entry.offset + entry.length; i++) {
		result.emplace_back(std::string(keys.String(i)), values.OptionalString(i));
	}
	return result;
}

void ColumnView::WrongType(const char *wanted) const {
	throw InvalidInputError(std::string("expected ") + wanted + ", found " + type_->id);
}

} // namespace deltaduck
