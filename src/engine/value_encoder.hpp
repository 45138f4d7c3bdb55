#pragma once

#include "common/json_writer.hpp"
#include "engine/duckdb_handles.hpp"
#include "engine/query_result.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace deltaduck {

//! How numbers that a JavaScript double cannot hold exactly are written.
enum class NumberStyle {
	JSON_SAFE, //!< as strings of their exact digits (for browsers and other double-based readers)
	EXACT      //!< as JSON numbers with every digit (for readers with exact numbers, such as Delta stats)
};

//! Turns the values of one result column into JSON or plain text, straight from DuckDB's vectors.
//!
//! JSON encoding (see docs/values.md): numbers stay numbers unless a JavaScript double cannot hold
//! them exactly — integers beyond ±2^53 and decimals with more than 15 significant digits become
//! strings of their exact digits; NaN and ±Infinity are the strings "NaN", "Infinity", "-Infinity";
//! temporal values are ISO-8601 strings; BLOB is base64; nested types nest.
class ValueEncoder {
public:
	//! Builds the encoder for a column type (borrowed; only read during the call).
	static std::unique_ptr<ValueEncoder> Create(duckdb_logical_type type, NumberStyle style = NumberStyle::JSON_SAFE);
	virtual ~ValueEncoder() = default;

	//! Points the encoder at the column's vector in the current chunk (children too).
	virtual void Bind(duckdb_vector vector);
	//! Writes the value at `row` as JSON.
	virtual void WriteJson(JsonWriter &json, uint64_t row) = 0;
	//! Appends the value at `row` as text: scalars in the same form as JSON but unquoted, nested values as
	//! JSON, NULL as nothing (returns false).
	virtual bool WriteText(std::string &out, uint64_t row);
	//! Whether the value at `row` is NULL.
	bool IsNull(uint64_t row) const;

protected:
	uint64_t *validity_ = nullptr;
	void *data_ = nullptr;
};

//! Encodes whole rows of a result.
class RowEncoder {
public:
	explicit RowEncoder(const std::vector<ResultColumn> &columns, NumberStyle style = NumberStyle::JSON_SAFE);
	//! Points every column encoder at a new chunk.
	void Bind(const DataChunk &chunk);
	//! `[v1, v2, ...]`
	void WriteArray(JsonWriter &json, uint64_t row);
	//! `{"name1": v1, ...}`
	void WriteObject(JsonWriter &json, uint64_t row);
	//! The column encoders, in order.
	std::vector<std::unique_ptr<ValueEncoder>> &Columns() {
		return encoders_;
	}

private:
	std::vector<std::string> names_;
	std::vector<std::unique_ptr<ValueEncoder>> encoders_;
};

} // namespace deltaduck
