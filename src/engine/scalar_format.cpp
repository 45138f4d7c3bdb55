#include "engine/scalar_format.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <vector>

namespace deltaduck {

static constexpr uint64_t MAX_EXACT_DOUBLE = uint64_t(1) << 53;

static void AppendUnsigned(std::string &out, uint64_t value) {
	char buffer[24];
	auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
	out.append(buffer, end);
}

//! Appends `value` zero-padded to `width` digits.
static void AppendPadded(std::string &out, uint64_t value, int width) {
	char buffer[24];
	auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
	for (auto len = end - buffer; len < width; len++) {
		out.push_back('0');
	}
	out.append(buffer, end);
}

void AppendUInt128(std::string &out, uint64_t lower, uint64_t upper) {
	if (upper == 0) {
		AppendUnsigned(out, lower);
		return;
	}
	// Peel off 19 decimal digits at a time (10^19 < 2^64).
	unsigned __int128 value = (static_cast<unsigned __int128>(upper) << 64) | lower;
	constexpr uint64_t CHUNK = 10000000000000000000ULL;
	uint64_t parts[3];
	int count = 0;
	while (value >= CHUNK) {
		parts[count++] = static_cast<uint64_t>(value % CHUNK);
		value /= CHUNK;
	}
	AppendUnsigned(out, static_cast<uint64_t>(value));
	while (count > 0) {
		AppendPadded(out, parts[--count], 19);
	}
}

static unsigned __int128 Magnitude(Int128 value, bool &negative) {
	__int128 signed_value = static_cast<__int128>((static_cast<unsigned __int128>(value.upper) << 64) | value.lower);
	negative = signed_value < 0;
	// Negate in unsigned arithmetic so the minimum value does not overflow.
	return negative ? -static_cast<unsigned __int128>(signed_value) : static_cast<unsigned __int128>(signed_value);
}

void AppendInt128(std::string &out, Int128 value) {
	bool negative;
	auto magnitude = Magnitude(value, negative);
	if (negative) {
		out.push_back('-');
	}
	AppendUInt128(out, static_cast<uint64_t>(magnitude), static_cast<uint64_t>(magnitude >> 64));
}

bool FitsDouble(Int128 value) {
	bool negative;
	return Magnitude(value, negative) <= MAX_EXACT_DOUBLE;
}

void AppendDecimal(std::string &out, Int128 unscaled, uint8_t scale) {
	bool negative;
	auto magnitude = Magnitude(unscaled, negative);
	std::string digits;
	AppendUInt128(digits, static_cast<uint64_t>(magnitude), static_cast<uint64_t>(magnitude >> 64));
	if (negative) {
		out.push_back('-');
	}
	if (scale == 0) {
		out += digits;
		return;
	}
	if (digits.size() <= scale) {
		digits.insert(0, scale + 1 - digits.size(), '0');
	}
	out.append(digits, 0, digits.size() - scale);
	out.push_back('.');
	out.append(digits, digits.size() - scale, scale);
}

//! Howard Hinnant's civil_from_days: proleptic Gregorian date of a day count since 1970-01-01.
static void CivilFromDays(int64_t days, int64_t &year, unsigned &month, unsigned &day) {
	days += 719468;
	const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	const auto doe = static_cast<unsigned>(days - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

static void AppendCivilDate(std::string &out, int64_t days) {
	int64_t year;
	unsigned month, day;
	CivilFromDays(days, year, month, day);
	if (year < 0) {
		out.push_back('-');
		AppendPadded(out, static_cast<uint64_t>(-year), 4);
	} else {
		if (year > 9999) {
			out.push_back('+');
		}
		AppendPadded(out, static_cast<uint64_t>(year), 4);
	}
	out.push_back('-');
	AppendPadded(out, month, 2);
	out.push_back('-');
	AppendPadded(out, day, 2);
}

void AppendDate(std::string &out, int32_t days) {
	// DuckDB's date_t::infinity() / ninfinity().
	if (days == 2147483647) {
		out += "infinity";
	} else if (days == -2147483647) {
		out += "-infinity";
	} else {
		AppendCivilDate(out, days);
	}
}

static int64_t TicksPerSecond(TimeUnit unit) {
	switch (unit) {
	case TimeUnit::SECONDS:
		return 1;
	case TimeUnit::MILLIS:
		return 1000;
	case TimeUnit::MICROS:
		return 1000000;
	case TimeUnit::NANOS:
		return 1000000000;
	}
	return 1;
}

static int FractionDigits(TimeUnit unit) {
	switch (unit) {
	case TimeUnit::SECONDS:
		return 0;
	case TimeUnit::MILLIS:
		return 3;
	case TimeUnit::MICROS:
		return 6;
	case TimeUnit::NANOS:
		return 9;
	}
	return 0;
}

//! "HH:MM:SS[.fraction]" for a non-negative tick count within a day (24:00:00 allowed).
static void AppendClock(std::string &out, uint64_t ticks, TimeUnit unit) {
	auto per_second = static_cast<uint64_t>(TicksPerSecond(unit));
	uint64_t seconds = ticks / per_second;
	uint64_t fraction = ticks % per_second;
	AppendPadded(out, seconds / 3600, 2);
	out.push_back(':');
	AppendPadded(out, seconds / 60 % 60, 2);
	out.push_back(':');
	AppendPadded(out, seconds % 60, 2);
	if (fraction) {
		out.push_back('.');
		AppendPadded(out, fraction, FractionDigits(unit));
	}
}

void AppendTimeOfDay(std::string &out, int64_t ticks, TimeUnit unit) {
	AppendClock(out, static_cast<uint64_t>(std::max<int64_t>(ticks, 0)), unit);
}

void AppendTimestamp(std::string &out, int64_t ticks, TimeUnit unit, std::string_view suffix) {
	// DuckDB's timestamp_t::infinity() / ninfinity() in every unit.
	if (ticks == INT64_MAX) {
		out += "infinity";
		return;
	}
	if (ticks == -INT64_MAX) {
		out += "-infinity";
		return;
	}
	const int64_t per_day = TicksPerSecond(unit) * 86400;
	int64_t days = ticks / per_day;
	int64_t rest = ticks % per_day;
	if (rest < 0) {
		rest += per_day;
		days--;
	}
	AppendCivilDate(out, days);
	out.push_back('T');
	AppendClock(out, static_cast<uint64_t>(rest), unit);
	out += suffix;
}

void AppendUtcOffset(std::string &out, int32_t seconds) {
	out.push_back(seconds < 0 ? '-' : '+');
	auto magnitude = static_cast<uint64_t>(std::abs(seconds));
	AppendPadded(out, magnitude / 3600, 2);
	out.push_back(':');
	AppendPadded(out, magnitude / 60 % 60, 2);
	if (magnitude % 60) {
		out.push_back(':');
		AppendPadded(out, magnitude % 60, 2);
	}
}

static void AppendSigned(std::string &out, int64_t value, char designator) {
	char buffer[24];
	auto end = std::to_chars(buffer, buffer + sizeof(buffer), value).ptr;
	out.append(buffer, end);
	out.push_back(designator);
}

void AppendInterval(std::string &out, int32_t months, int32_t days, int64_t micros) {
	out.push_back('P');
	if (months / 12) {
		AppendSigned(out, months / 12, 'Y');
	}
	if (months % 12) {
		AppendSigned(out, months % 12, 'M');
	}
	if (days) {
		AppendSigned(out, days, 'D');
	}
	if (micros || (!months && !days)) {
		out.push_back('T');
		bool negative = micros < 0;
		uint64_t magnitude = negative ? -static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
		uint64_t hours = magnitude / 3600000000ULL;
		uint64_t minutes = magnitude / 60000000ULL % 60;
		uint64_t seconds = magnitude / 1000000ULL % 60;
		uint64_t fraction = magnitude % 1000000ULL;
		const char *sign = negative ? "-" : "";
		if (hours) {
			out += sign;
			AppendSigned(out, static_cast<int64_t>(hours), 'H');
		}
		if (minutes) {
			out += sign;
			AppendSigned(out, static_cast<int64_t>(minutes), 'M');
		}
		if (seconds || fraction || magnitude == 0) {
			out += sign;
			AppendUnsigned(out, seconds);
			if (fraction) {
				std::string digits;
				AppendPadded(digits, fraction, 6);
				digits.erase(digits.find_last_not_of('0') + 1);
				out.push_back('.');
				out += digits;
			}
			out.push_back('S');
		}
	}
}

void AppendUuid(std::string &out, Int128 stored) {
	static constexpr char HEX[] = "0123456789abcdef";
	// DuckDB flips the top bit so that UUIDs sort as unsigned values in a signed integer.
	uint64_t upper = static_cast<uint64_t>(stored.upper) ^ (uint64_t(1) << 63);
	uint64_t lower = stored.lower;
	for (int i = 0; i < 32; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20) {
			out.push_back('-');
		}
		uint64_t word = i < 16 ? upper : lower;
		int shift = 60 - 4 * (i % 16);
		out.push_back(HEX[(word >> shift) & 0xF]);
	}
}

void AppendBase64(std::string &out, std::string_view bytes) {
	static constexpr char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;
	auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
	for (; i + 3 <= bytes.size(); i += 3) {
		uint32_t triple = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
		out.push_back(ALPHABET[triple >> 18]);
		out.push_back(ALPHABET[(triple >> 12) & 63]);
		out.push_back(ALPHABET[(triple >> 6) & 63]);
		out.push_back(ALPHABET[triple & 63]);
	}
	size_t rest = bytes.size() - i;
	if (rest) {
		uint32_t triple = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
		out.push_back(ALPHABET[triple >> 18]);
		out.push_back(ALPHABET[(triple >> 12) & 63]);
		out.push_back(rest == 2 ? ALPHABET[(triple >> 6) & 63] : '=');
		out.push_back('=');
	}
}

void AppendBits(std::string &out, std::string_view stored) {
	if (stored.empty()) {
		return;
	}
	auto padding = static_cast<unsigned char>(stored[0]);
	size_t total = (stored.size() - 1) * 8;
	for (size_t bit = padding; bit < total; bit++) {
		auto byte = static_cast<unsigned char>(stored[1 + bit / 8]);
		out.push_back((byte >> (7 - bit % 8)) & 1 ? '1' : '0');
	}
}

bool AppendBignum(std::string &out, std::string_view stored) {
	if (stored.size() < 3) {
		return true;
	}
	// Header: the top bit is set for non-negative numbers; negative numbers store every byte inverted.
	bool negative = (static_cast<unsigned char>(stored[0]) & 0x80) == 0;
	std::vector<uint8_t> magnitude;
	magnitude.reserve(stored.size() - 3);
	for (size_t i = 3; i < stored.size(); i++) {
		auto byte = static_cast<uint8_t>(stored[i]);
		magnitude.push_back(negative ? static_cast<uint8_t>(~byte) : byte);
	}
	// Repeated division by 10^9 of the big-endian magnitude gives base-10^9 limbs, least significant first.
	std::vector<uint32_t> limbs;
	size_t start = 0;
	while (start < magnitude.size() && magnitude[start] == 0) {
		start++;
	}
	while (start < magnitude.size()) {
		uint64_t remainder = 0;
		for (size_t i = start; i < magnitude.size(); i++) {
			uint64_t current = (remainder << 8) | magnitude[i];
			magnitude[i] = static_cast<uint8_t>(current / 1000000000ULL);
			remainder = current % 1000000000ULL;
		}
		limbs.push_back(static_cast<uint32_t>(remainder));
		while (start < magnitude.size() && magnitude[start] == 0) {
			start++;
		}
	}
	if (limbs.empty()) {
		out.push_back('0');
		return true;
	}
	if (negative) {
		out.push_back('-');
	}
	AppendUnsigned(out, limbs.back());
	for (size_t i = limbs.size() - 1; i-- > 0;) {
		AppendPadded(out, limbs[i], 9);
	}
	// 2^53 has 16 digits: anything shorter fits, anything with more than 2 limbs does not.
	if (limbs.size() > 2) {
		return false;
	}
	uint64_t value = limbs.size() == 2 ? uint64_t(limbs[1]) * 1000000000ULL + limbs[0] : limbs[0];
	return value <= MAX_EXACT_DOUBLE;
}

} // namespace deltaduck
