#include "common/clock.hpp"

#include <chrono>
#include <random>

namespace deltaduck {

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

std::string NewUuid() {
	std::random_device random;
	std::mt19937_64 engine((uint64_t(random()) << 32) ^ random());
	static constexpr char HEX[] = "0123456789abcdef";
	std::string id;
	for (int i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20) {
			id += '-';
		}
		id += HEX[engine() & 15];
	}
	return id;
}

} // namespace deltaduck
