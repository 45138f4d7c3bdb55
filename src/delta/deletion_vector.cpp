#include "delta/deletion_vector.hpp"

#include "common/error.hpp"

#include <cstring>
#include <fstream>

namespace deltaduck::delta {

namespace fs = std::filesystem;

std::string DecodeZ85(std::string_view text) {
	static constexpr char ALPHABET[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
	int8_t decode[256];
	std::memset(decode, -1, sizeof(decode));
	for (int i = 0; i < 85; i++) {
		decode[static_cast<unsigned char>(ALPHABET[i])] = static_cast<int8_t>(i);
	}
	if (text.size() % 5 != 0) {
		throw CorruptError("invalid Z85 text: length " + std::to_string(text.size()) + " is not a multiple of 5");
	}
	std::string bytes;
	bytes.reserve(text.size() / 5 * 4);
	for (size_t i = 0; i < text.size(); i += 5) {
		uint64_t value = 0;
		for (size_t k = 0; k < 5; k++) {
			auto digit = decode[static_cast<unsigned char>(text[i + k])];
			if (digit < 0) {
				throw CorruptError(std::string("invalid Z85 character '") + text[i + k] + "'");
			}
			value = value * 85 + static_cast<uint64_t>(digit);
		}
		if (value > 0xFFFFFFFFULL) {
			throw CorruptError("invalid Z85 text: a group exceeds 32 bits");
		}
		for (int shift = 24; shift >= 0; shift -= 8) {
			bytes.push_back(static_cast<char>((value >> shift) & 0xFF));
		}
	}
	return bytes;
}

namespace {

//! Little-endian reader over a byte range that fails loudly at the end.
class ByteReader {
public:
	explicit ByteReader(std::string_view bytes) : bytes_(bytes) {
	}
	template <class T>
	T Read() {
		if (position_ + sizeof(T) > bytes_.size()) {
			throw CorruptError("truncated deletion vector: needs more than " + std::to_string(bytes_.size()) +
			                   " bytes");
		}
		T value = 0;
		for (size_t i = 0; i < sizeof(T); i++) {
			value |= static_cast<T>(static_cast<T>(static_cast<unsigned char>(bytes_[position_ + i])) << (8 * i));
		}
		position_ += sizeof(T);
		return value;
	}
	void Skip(size_t count) {
		if (position_ + count > bytes_.size()) {
			throw CorruptError("truncated deletion vector");
		}
		position_ += count;
	}

private:
	std::string_view bytes_;
	size_t position_ = 0;
};

constexpr uint32_t SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
constexpr uint32_t SERIAL_COOKIE = 12347;
constexpr uint32_t NO_OFFSET_THRESHOLD = 4;
constexpr uint32_t MAX_ARRAY_CARDINALITY = 4096;
constexpr uint32_t DV_MAGIC = 1681511377;

//! One portable-format Roaring bitmap (32-bit values), each value or'ed with `high`.
void DecodeRoaring(ByteReader &reader, uint64_t high, std::vector<uint64_t> &out) {
	uint32_t cookie = reader.Read<uint32_t>();
	uint32_t containers;
	std::vector<uint8_t> run_flags;
	bool has_runs = (cookie & 0xFFFF) == SERIAL_COOKIE;
	if (has_runs) {
		containers = (cookie >> 16) + 1;
		run_flags.resize((containers + 7) / 8);
		for (auto &flag : run_flags) {
			flag = reader.Read<uint8_t>();
		}
	} else if (cookie == SERIAL_COOKIE_NO_RUNCONTAINER) {
		containers = reader.Read<uint32_t>();
	} else {
		throw CorruptError("invalid Roaring bitmap cookie " + std::to_string(cookie));
	}
	std::vector<uint16_t> keys(containers);
	std::vector<uint32_t> cardinalities(containers);
	for (uint32_t i = 0; i < containers; i++) {
		keys[i] = reader.Read<uint16_t>();
		cardinalities[i] = uint32_t(reader.Read<uint16_t>()) + 1;
	}
	if (!has_runs || containers >= NO_OFFSET_THRESHOLD) {
		reader.Skip(4 * size_t(containers)); // offsets: containers are read in order anyway
	}
	for (uint32_t i = 0; i < containers; i++) {
		uint64_t base = high | (uint64_t(keys[i]) << 16);
		bool is_run = has_runs && (run_flags[i / 8] >> (i % 8)) & 1;
		if (is_run) {
			uint16_t runs = reader.Read<uint16_t>();
			for (uint16_t r = 0; r < runs; r++) {
				uint32_t start = reader.Read<uint16_t>();
				uint32_t length = uint32_t(reader.Read<uint16_t>()) + 1;
				for (uint32_t v = start; v < start + length; v++) {
					out.push_back(base | v);
				}
			}
		} else if (cardinalities[i] <= MAX_ARRAY_CARDINALITY) {
			for (uint32_t k = 0; k < cardinalities[i]; k++) {
				out.push_back(base | reader.Read<uint16_t>());
			}
		} else {
			for (uint32_t word = 0; word < 1024; word++) {
				uint64_t bits = reader.Read<uint64_t>();
				while (bits) {
					int bit = __builtin_ctzll(bits);
					out.push_back(base | (uint64_t(word) * 64 + uint64_t(bit)));
					bits &= bits - 1;
				}
			}
		}
	}
}

uint32_t ReadBigEndian32(const std::string &bytes, size_t at) {
	return uint32_t(static_cast<unsigned char>(bytes[at])) << 24 |
	       uint32_t(static_cast<unsigned char>(bytes[at + 1])) << 16 |
	       uint32_t(static_cast<unsigned char>(bytes[at + 2])) << 8 |
	       uint32_t(static_cast<unsigned char>(bytes[at + 3]));
}

std::string FormatUuid(const std::string &bytes) {
	static constexpr char HEX[] = "0123456789abcdef";
	std::string out;
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			out.push_back('-');
		}
		auto byte = static_cast<unsigned char>(bytes[i]);
		out.push_back(HEX[byte >> 4]);
		out.push_back(HEX[byte & 0xF]);
	}
	return out;
}

} // namespace

std::vector<uint64_t> DecodeRoaringBitmapArray(std::string_view bytes) {
	ByteReader reader(bytes);
	if (reader.Read<uint32_t>() != DV_MAGIC) {
		throw CorruptError("invalid deletion vector: wrong magic number");
	}
	uint64_t count = reader.Read<uint64_t>();
	if (count > bytes.size()) {
		throw CorruptError("invalid deletion vector: " + std::to_string(count) + " bitmaps in " +
		                   std::to_string(bytes.size()) + " bytes");
	}
	std::vector<uint64_t> rows;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t high = uint64_t(reader.Read<uint32_t>()) << 32;
		DecodeRoaring(reader, high, rows);
	}
	return rows;
}

fs::path DeletionVectorPath(const fs::path &table_root, const DeletionVectorDescriptor &dv) {
	const auto &text = dv.path_or_inline_dv;
	if (text.size() < 20) {
		throw CorruptError("invalid deletion vector path: " + text);
	}
	auto prefix = text.substr(0, text.size() - 20);
	auto uuid = FormatUuid(DecodeZ85(std::string_view(text).substr(text.size() - 20)));
	auto directory = prefix.empty() ? table_root : table_root / prefix;
	return directory / ("deletion_vector_" + uuid + ".bin");
}

std::vector<uint64_t> LoadDeletedRows(const fs::path &table_root, const DeletionVectorDescriptor &dv) {
	std::string data;
	if (dv.storage_type == 'i') {
		data = DecodeZ85(dv.path_or_inline_dv);
		if (data.size() < static_cast<size_t>(dv.size_in_bytes)) {
			throw CorruptError("inline deletion vector is shorter than its declared size");
		}
		data.resize(dv.size_in_bytes);
	} else if (dv.storage_type == 'u' || dv.storage_type == 'p') {
		fs::path file =
		    dv.storage_type == 'u' ? DeletionVectorPath(table_root, dv) : fs::path(DecodeUriPath(dv.path_or_inline_dv));
		if (dv.storage_type == 'p' && file.string().rfind("file:", 0) == 0) {
			file = file.string().substr(5);
		}
		std::ifstream in(file, std::ios::binary);
		if (!in) {
			throw NotFoundError("deletion vector file not found: " + file.string());
		}
		std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
		size_t offset = dv.offset.value_or(1);
		// At the offset: a 4-byte big-endian size, the bitmap array, then its CRC-32.
		if (offset + 4 > content.size()) {
			throw CorruptError("deletion vector file " + file.string() + " is shorter than the offset " +
			                   std::to_string(offset));
		}
		uint32_t size = ReadBigEndian32(content, offset);
		if (size != static_cast<uint32_t>(dv.size_in_bytes) || offset + 4 + size > content.size()) {
			throw CorruptError("deletion vector in " + file.string() + " has size " + std::to_string(size) +
			                   ", expected " + std::to_string(dv.size_in_bytes));
		}
		data = content.substr(offset + 4, size);
	} else {
		throw UnsupportedError(std::string("unsupported deletion vector storage type '") + dv.storage_type + "'");
	}
	auto rows = DecodeRoaringBitmapArray(data);
	if (static_cast<int64_t>(rows.size()) != dv.cardinality) {
		throw CorruptError("deletion vector holds " + std::to_string(rows.size()) + " rows, its descriptor says " +
		                   std::to_string(dv.cardinality));
	}
	return rows;
}

} // namespace deltaduck::delta
