#include "common/json_writer.hpp"

#include <charconv>
#include <cmath>

namespace deltaduck {

void JsonWriter::Separate() {
	if (after_key_) {
		after_key_ = false;
		return;
	}
	if (!has_element_.empty()) {
		if (has_element_.back()) {
			out_.push_back(',');
		}
		has_element_.back() = true;
	}
}

void JsonWriter::BeginObject() {
	Separate();
	out_.push_back('{');
	has_element_.push_back(false);
}

void JsonWriter::EndObject() {
	has_element_.pop_back();
	out_.push_back('}');
}

void JsonWriter::BeginArray() {
	Separate();
	out_.push_back('[');
	has_element_.push_back(false);
}

void JsonWriter::EndArray() {
	has_element_.pop_back();
	out_.push_back(']');
}

void JsonWriter::Key(std::string_view key) {
	Separate();
	out_.push_back('"');
	AppendEscaped(out_, key);
	out_.append("\":");
	after_key_ = true;
}

void JsonWriter::Null() {
	Separate();
	out_.append("null");
}

void JsonWriter::Bool(bool value) {
	Separate();
	out_.append(value ? "true" : "false");
}

void JsonWriter::Int(int64_t value) {
	Separate();
	char buffer[24];
	auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
	out_.append(buffer, end);
}

void JsonWriter::UInt(uint64_t value) {
	Separate();
	char buffer[24];
	auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
	out_.append(buffer, end);
}

template <class T>
static void AppendFloating(std::string &out, T value) {
	if (std::isnan(value)) {
		out.append("\"NaN\"");
	} else if (std::isinf(value)) {
		out.append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	} else {
		char buffer[32];
		auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
		out.append(buffer, end);
	}
}

void JsonWriter::Double(double value) {
	Separate();
	AppendFloating(out_, value);
}

void JsonWriter::Float(float value) {
	Separate();
	AppendFloating(out_, value);
}

void JsonWriter::String(std::string_view value) {
	Separate();
	out_.push_back('"');
	AppendEscaped(out_, value);
	out_.push_back('"');
}

void JsonWriter::Raw(std::string_view json) {
	Separate();
	out_.append(json);
}

void JsonWriter::AppendEscaped(std::string &out, std::string_view value) {
	static constexpr char HEX[] = "0123456789abcdef";
	size_t run_start = 0;
	for (size_t i = 0; i < value.size(); i++) {
		auto c = static_cast<unsigned char>(value[i]);
		if (c >= 0x20 && c != '"' && c != '\\') {
			continue;
		}
		out.append(value.data() + run_start, i - run_start);
		run_start = i + 1;
		switch (c) {
		case '"':
			out.append("\\\"");
			break;
		case '\\':
			out.append("\\\\");
			break;
		case '\n':
			out.append("\\n");
			break;
		case '\r':
			out.append("\\r");
			break;
		case '\t':
			out.append("\\t");
			break;
		case '\b':
			out.append("\\b");
			break;
		case '\f':
			out.append("\\f");
			break;
		default:
			out.append("\\u00");
			out.push_back(HEX[c >> 4]);
			out.push_back(HEX[c & 0xF]);
		}
	}
	out.append(value.data() + run_start, value.size() - run_start);
}

} // namespace deltaduck
