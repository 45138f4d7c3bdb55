#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck {

//! Appends compact JSON to a string, inserting commas itself. Built for hot loops (one value per
//! result cell): no allocation beyond the output string, numbers via std::to_chars.
class JsonWriter {
public:
	explicit JsonWriter(std::string &out) : out_(out) {
	}

	void BeginObject();
	void EndObject();
	void BeginArray();
	void EndArray();
	//! An object key; the next call writes its value.
	void Key(std::string_view key);

	void Null();
	void Bool(bool value);
	void Int(int64_t value);
	void UInt(uint64_t value);
	//! Finite doubles as numbers (shortest round-trip form); NaN and ±Inf as the strings "NaN", "Infinity",
	//! "-Infinity".
	void Double(double value);
	void Float(float value);
	void String(std::string_view value);
	//! A value that is already valid JSON (a pre-rendered number, say).
	void Raw(std::string_view json);

	//! Appends `value` as a JSON string literal body (no quotes) with the required escapes.
	static void AppendEscaped(std::string &out, std::string_view value);

private:
	void Separate();

	std::string &out_;
	//! One entry per open container: whether it already holds an element.
	std::vector<bool> has_element_;
	bool after_key_ = false;
};

} // namespace deltaduck
