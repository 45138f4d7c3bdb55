#include "common/access_token.hpp"

namespace deltaduck {

bool ConstantTimeEquals(const std::string &a, const std::string &b) {
	unsigned char difference = a.size() == b.size() ? 0 : 1;
	const std::string &reference = a.size() == b.size() ? b : a;
	for (size_t i = 0; i < a.size(); i++) {
		difference |= static_cast<unsigned char>(a[i] ^ reference[i]);
	}
	return difference == 0;
}

bool IsLoopback(const std::string &host) {
	return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

} // namespace deltaduck
