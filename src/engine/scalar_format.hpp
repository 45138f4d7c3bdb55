#pragma once

// Pure formatting of DuckDB's physical values into the text DeltaDuck shows and sends.
// Every function appends to `out` and allocates nothing else.

#include <cstdint>
#include <string>
#include <string_view>

namespace deltaduck {

//! A signed 128-bit integer as DuckDB stores it (value = upper * 2^64 + lower).
struct Int128 {
	uint64_t lower;
	int64_t upper;
};

//! Sub-second resolution of a time or timestamp value.
enum class TimeUnit { SECONDS, MILLIS, MICROS, NANOS };

//! Exact decimal digits of a signed / unsigned 128-bit integer.
void AppendInt128(std::string &out, Int128 value);
void AppendUInt128(std::string &out, uint64_t lower, uint64_t upper);
//! Whether a 128-bit integer lies within ±2^53 (exact in a double).
bool FitsDouble(Int128 value);
//! An unscaled integer with `scale` digits after the point: (12345, 2) -> "123.45", (-5, 3) -> "-0.005".
void AppendDecimal(std::string &out, Int128 unscaled, uint8_t scale);
//! Days since 1970-01-01 as ISO-8601 "YYYY-MM-DD" (years outside 0..9999 signed, as ISO allows);
//! DuckDB's infinite dates as "infinity" / "-infinity".
void AppendDate(std::string &out, int32_t days);
//! Time of day since midnight, "HH:MM:SS" with a fraction only when non-zero.
void AppendTimeOfDay(std::string &out, int64_t ticks, TimeUnit unit);
//! An instant since the epoch as "YYYY-MM-DDTHH:MM:SS[.fraction]", with `suffix` ("Z" for UTC) appended.
void AppendTimestamp(std::string &out, int64_t ticks, TimeUnit unit, std::string_view suffix);
//! A UTC offset in seconds as "+HH:MM" (or "+HH:MM:SS").
void AppendUtcOffset(std::string &out, int32_t seconds);
//! An ISO-8601 duration: "P1Y2M3DT4H5M6.5S"; each component keeps its own sign; zero is "PT0S".
void AppendInterval(std::string &out, int32_t months, int32_t days, int64_t micros);
//! A UUID from DuckDB's storage form (a 128-bit integer with the top bit flipped).
void AppendUuid(std::string &out, Int128 stored);
//! Standard base64 with padding.
void AppendBase64(std::string &out, std::string_view bytes);
//! DuckDB's BIT storage (first byte = padding bits) as a string of '0' and '1'.
void AppendBits(std::string &out, std::string_view stored);
//! DuckDB's BIGNUM storage (3-byte header with sign and size, then big-endian magnitude) as decimal
//! digits; returns false when the magnitude exceeds 2^53.
bool AppendBignum(std::string &out, std::string_view stored);

} // namespace deltaduck
