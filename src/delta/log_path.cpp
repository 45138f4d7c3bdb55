#include "delta/log_path.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <string_view>
#include <vector>

namespace deltaduck::delta {

namespace {

bool AllDigits(std::string_view text) {
	if (text.empty()) {
		return false;
	}
	for (char c : text) {
		if (!std::isdigit(static_cast<unsigned char>(c))) {
			return false;
		}
	}
	return true;
}

template <class T>
bool ParseNumber(std::string_view text, T &out) {
	if (!AllDigits(text)) {
		return false;
	}
	auto result = std::from_chars(text.data(), text.data() + text.size(), out);
	return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
	std::vector<std::string_view> parts;
	size_t start = 0;
	while (true) {
		auto end = text.find(separator, start);
		parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
		if (end == std::string_view::npos) {
			return parts;
		}
		start = end + 1;
	}
}

bool IsUuid(std::string_view text) {
	if (text.size() != 36) {
		return false;
	}
	for (size_t i = 0; i < text.size(); i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) {
			return false;
		}
	}
	return true;
}

} // namespace

std::optional<ParsedLogPath> ParsedLogPath::Parse(const std::string &filename) {
	auto parts = Split(filename, '.');
	ParsedLogPath path;
	path.filename = filename;
	if (parts.size() < 2 || parts[0].size() != 20 || !ParseNumber(parts[0], path.version)) {
		return std::nullopt;
	}
	if (parts.size() == 2 && parts[1] == "json") {
		path.type = LogPathType::COMMIT;
	} else if (parts.size() == 2 && parts[1] == "crc") {
		path.type = LogPathType::CHECKSUM;
	} else if (parts.size() == 3 && parts[1] == "checkpoint" && parts[2] == "parquet") {
		path.type = LogPathType::CHECKPOINT;
	} else if (parts.size() == 5 && parts[1] == "checkpoint" && parts[4] == "parquet" &&
	           ParseNumber(parts[2], path.part) && ParseNumber(parts[3], path.num_parts) && path.part >= 1 &&
	           path.part <= path.num_parts) {
		path.type = LogPathType::MULTI_PART_CHECKPOINT;
	} else if (parts.size() == 4 && parts[1] == "checkpoint" && IsUuid(parts[2]) &&
	           (parts[3] == "json" || parts[3] == "parquet")) {
		path.type = LogPathType::V2_CHECKPOINT;
		path.uuid = parts[2];
		path.extension = parts[3];
	} else if (parts.size() == 4 && parts[2] == "compacted" && parts[3] == "json" && parts[1].size() == 20 &&
	           ParseNumber(parts[1], path.end_version)) {
		path.type = LogPathType::COMPACTED_COMMIT;
	} else {
		path.type = LogPathType::UNKNOWN;
	}
	return path;
}

std::string CommitFileName(int64_t version) {
	char buffer[32];
	std::snprintf(buffer, sizeof(buffer), "%020lld.json", static_cast<long long>(version));
	return buffer;
}

} // namespace deltaduck::delta
