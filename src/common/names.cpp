#include "common/names.hpp"

#include "common/error.hpp"

#include <string>

namespace deltaduck {

void CheckName(std::string_view what, std::string_view name) {
	auto fail = [&](const std::string &why) {
		throw InvalidInputError("invalid " + std::string(what) + " '" + std::string(name.substr(0, 200)) + "': " + why);
	};
	if (name.empty()) {
		fail("it is empty");
	}
	if (name.size() > MAX_NAME_LENGTH) {
		fail("longer than " + std::to_string(MAX_NAME_LENGTH) + " characters");
	}
	if (name.front() == '-') {
		fail("it starts with '-'");
	}
	for (char c : name) {
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
		if (!ok) {
			fail("only letters, digits, '_' and '-' are allowed");
		}
	}
}

} // namespace deltaduck
