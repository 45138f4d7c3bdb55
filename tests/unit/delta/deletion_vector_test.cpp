#include "common/error.hpp"
#include "delta/deletion_vector.hpp"
#include "tests/unit/delta/delta_test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace deltaduck {

using namespace delta;
namespace fs = std::filesystem;

namespace {

//! Builds serialized bytes field by field, little-endian unless told.
class Bytes {
public:
	Bytes &U16(uint16_t value) {
		return Append(value, 2);
	}
	Bytes &U32(uint32_t value) {
		return Append(value, 4);
	}
	Bytes &U64(uint64_t value) {
		return Append(value, 8);
	}
	Bytes &U8(uint8_t value) {
		return Append(value, 1);
	}
	Bytes &BigEndianU32(uint32_t value) {
		for (int shift = 24; shift >= 0; shift -= 8) {
			data_.push_back(static_cast<char>((value >> shift) & 0xFF));
		}
		return *this;
	}
	Bytes &Raw(const std::string &bytes) {
		data_ += bytes;
		return *this;
	}
	const std::string &Data() const {
		return data_;
	}

private:
	Bytes &Append(uint64_t value, size_t count) {
		for (size_t i = 0; i < count; i++) {
			data_.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
		}
		return *this;
	}
	std::string data_;
};

constexpr uint32_t MAGIC = 1681511377;
constexpr uint32_t COOKIE_NO_RUNS = 12346;
constexpr uint32_t COOKIE_RUNS = 12347;

//! A portable Roaring bitmap (no run containers) with array containers: key -> sorted low 16-bit values.
std::string ArrayBitmap(const std::vector<std::pair<uint16_t, std::vector<uint16_t>>> &containers) {
	Bytes header;
	header.U32(COOKIE_NO_RUNS).U32(static_cast<uint32_t>(containers.size()));
	for (const auto &[key, values] : containers) {
		header.U16(key).U16(static_cast<uint16_t>(values.size() - 1));
	}
	uint32_t offset = static_cast<uint32_t>(header.Data().size() + 4 * containers.size());
	for (const auto &[key, values] : containers) {
		header.U32(offset);
		offset += static_cast<uint32_t>(2 * values.size());
	}
	for (const auto &[key, values] : containers) {
		for (auto value : values) {
			header.U16(value);
		}
	}
	return header.Data();
}

//! The RoaringBitmapArray of bitmaps keyed by their high 32 bits.
std::string BitmapArray(const std::vector<std::pair<uint32_t, std::string>> &bitmaps) {
	Bytes bytes;
	bytes.U32(MAGIC).U64(bitmaps.size());
	for (const auto &[high, bitmap] : bitmaps) {
		bytes.U32(high).Raw(bitmap);
	}
	return bytes.Data();
}

std::string HexOf(const std::string &bytes) {
	static const char HEX[] = "0123456789abcdef";
	std::string out;
	for (unsigned char c : bytes) {
		out.push_back(HEX[c >> 4]);
		out.push_back(HEX[c & 0xF]);
	}
	return out;
}

} // namespace

TEST(DeletionVector, DecodesZ85) {
	// The ZeroMQ specification's test vector.
	EXPECT_EQ(HexOf(DecodeZ85("HelloWorld")), "864fd26fb559f75b");
	EXPECT_EQ(DecodeZ85(""), "");
	EXPECT_EQ(HexOf(DecodeZ85("00000")), "00000000");
	// The largest 32-bit group, 0xFFFFFFFF, is "%nSc0".
	EXPECT_EQ(HexOf(DecodeZ85("%nSc0")), "ffffffff");
	// Round trip through an independent encoder, every byte value.
	std::string all;
	for (int i = 0; i < 256; i++) {
		all.push_back(static_cast<char>(i));
	}
	EXPECT_EQ(DecodeZ85(EncodeZ85(all)), all);
}

TEST(DeletionVector, RejectsInvalidZ85) {
	EXPECT_THROW(DecodeZ85("Hell"), CorruptError);
	EXPECT_THROW(DecodeZ85("HelloWorl"), CorruptError);
	EXPECT_THROW(DecodeZ85("Hello World"), CorruptError);
	EXPECT_THROW(DecodeZ85("Hell~"), CorruptError);
	EXPECT_THROW(DecodeZ85("Hell\""), CorruptError);
	EXPECT_THROW(DecodeZ85(std::string("Hell\0", 5)), CorruptError);
	EXPECT_THROW(DecodeZ85("Hell\x80"), CorruptError);
	// A group above 0xFFFFFFFF ("%nSc1" is 0x100000000).
	EXPECT_THROW(DecodeZ85("%nSc1"), CorruptError);
	EXPECT_THROW(DecodeZ85("#####"), CorruptError);
}

TEST(DeletionVector, DecodesArrayContainers) {
	auto bytes = BitmapArray({{0, ArrayBitmap({{0, {3, 7, 100, 65535}}, {2, {0, 5}}})}});
	EXPECT_EQ(DecodeRoaringBitmapArray(bytes), (std::vector<uint64_t>{3, 7, 100, 65535, 2 * 65536, 2 * 65536 + 5}));
}

TEST(DeletionVector, DecodesAnEmptyArray) {
	EXPECT_TRUE(DecodeRoaringBitmapArray(BitmapArray({})).empty());
}

TEST(DeletionVector, DecodesBitmapContainers) {
	// 5000 values (> 4096) are stored as a 1024-word bitmap: even numbers below 9000, odd ones from 10001, 65535.
	std::vector<uint64_t> expected;
	std::vector<uint64_t> words(1024, 0);
	for (uint32_t value = 0; value < 9000; value += 2) {
		expected.push_back(value);
	}
	for (uint32_t value = 10001; expected.size() < 4999; value += 2) {
		expected.push_back(value);
	}
	expected.push_back(65535);
	ASSERT_EQ(expected.size(), 5000u);
	for (auto value : expected) {
		words[value / 64] |= uint64_t(1) << (value % 64);
	}
	Bytes bitmap;
	bitmap.U32(COOKIE_NO_RUNS).U32(1).U16(7).U16(4999).U32(16);
	for (auto word : words) {
		bitmap.U64(word);
	}
	auto rows = DecodeRoaringBitmapArray(BitmapArray({{0, bitmap.Data()}}));
	ASSERT_EQ(rows.size(), 5000u);
	for (size_t i = 0; i < expected.size(); i++) {
		ASSERT_EQ(rows[i], (uint64_t(7) << 16) + expected[i]) << i;
	}
}

TEST(DeletionVector, DecodesRunContainers) {
	// Cookie 12347 with (containers - 1) in the high 16 bits, then one run flag bit per container. Fewer than
	// four containers: no offsets.
	Bytes bitmap;
	bitmap.U32(COOKIE_RUNS | (1u << 16)).U8(0b01); // two containers, the first is a run container
	bitmap.U16(0).U16(3);                          // key 0: runs [10, 12] and [20, 20], cardinality 4
	bitmap.U16(1).U16(1);                          // key 1: array of 2 values
	bitmap.U16(2).U16(10).U16(2).U16(20).U16(0);   // 2 runs: start 10 length-1 2, start 20 length-1 0
	bitmap.U16(4).U16(9);
	EXPECT_EQ(DecodeRoaringBitmapArray(BitmapArray({{0, bitmap.Data()}})),
	          (std::vector<uint64_t>{10, 11, 12, 20, 65536 + 4, 65536 + 9}));
}

TEST(DeletionVector, DecodesRunFormatWithOffsets) {
	// Four or more containers in the run format carry offsets: a run, an array, a bitmap and a run container.
	std::vector<uint64_t> bitmap_values;
	for (uint32_t value = 0; value < 4200; value++) {
		bitmap_values.push_back(value * 3 % 65536);
	}
	std::sort(bitmap_values.begin(), bitmap_values.end());
	std::vector<uint64_t> words(1024, 0);
	for (auto value : bitmap_values) {
		words[value / 64] |= uint64_t(1) << (value % 64);
	}
	Bytes bitmap;
	bitmap.U32(COOKIE_RUNS | (3u << 16)).U8(0b1001);
	bitmap.U16(0).U16(2).U16(1).U16(0).U16(2).U16(4199).U16(3).U16(65535);
	bitmap.U32(0).U32(0).U32(0).U32(0); // offsets (not needed to decode in order)
	bitmap.U16(1).U16(65533).U16(2);    // key 0: one run 65533..65535
	bitmap.U16(42);                     // key 1: array [42]
	for (auto word : words) {
		bitmap.U64(word); // key 2: bitmap
	}
	bitmap.U16(1).U16(0).U16(65535); // key 3: one run over all 65536 values
	auto rows = DecodeRoaringBitmapArray(BitmapArray({{0, bitmap.Data()}}));
	std::vector<uint64_t> expected = {65533, 65534, 65535, 65536 + 42};
	for (auto value : bitmap_values) {
		expected.push_back(2 * 65536 + value);
	}
	for (uint64_t value = 0; value < 65536; value++) {
		expected.push_back(3 * 65536 + value);
	}
	ASSERT_EQ(rows.size(), expected.size());
	EXPECT_TRUE(rows == expected);
}

TEST(DeletionVector, CombinesBitmapsOfSeveralHighKeys) {
	auto bytes = BitmapArray({{0, ArrayBitmap({{0, {1, 2}}})}, {1, ArrayBitmap({{0, {0, 5}}, {3, {7}}})}});
	uint64_t high = uint64_t(1) << 32;
	EXPECT_EQ(DecodeRoaringBitmapArray(bytes), (std::vector<uint64_t>{1, 2, high, high + 5, high + 3 * 65536 + 7}));
}

TEST(DeletionVector, RejectsAWrongMagicNumber) {
	auto bytes = BitmapArray({{0, ArrayBitmap({{0, {1}}})}});
	bytes[0] = static_cast<char>(bytes[0] ^ 1);
	EXPECT_THROW(DecodeRoaringBitmapArray(bytes), CorruptError);
	EXPECT_THROW(DecodeRoaringBitmapArray(""), CorruptError);
}

TEST(DeletionVector, RejectsTruncatedInput) {
	auto bytes = BitmapArray({{0, ArrayBitmap({{0, {1, 2, 3}}})}, {1, ArrayBitmap({{0, {4}}})}});
	ASSERT_EQ(DecodeRoaringBitmapArray(bytes).size(), 4u);
	for (size_t length = 0; length < bytes.size(); length++) {
		EXPECT_THROW(DecodeRoaringBitmapArray(std::string_view(bytes).substr(0, length)), CorruptError) << length;
	}
	// More bitmaps announced than there are bytes.
	EXPECT_THROW(DecodeRoaringBitmapArray(Bytes().U32(MAGIC).U64(1000000).Data()), CorruptError);
	EXPECT_THROW(DecodeRoaringBitmapArray(Bytes().U32(MAGIC).U64(UINT64_MAX).Data()), CorruptError);
}

TEST(DeletionVector, RejectsAnUnknownCookie) {
	auto bytes = BitmapArray({{0, Bytes().U32(12345).U32(1).U16(0).U16(0).U32(16).U16(1).Data()}});
	EXPECT_THROW(DecodeRoaringBitmapArray(bytes), CorruptError);
}

TEST(DeletionVector, FindsFilesOfRelativeDeletionVectors) {
	// The examples of the Delta protocol and delta-kernel.
	DeletionVectorDescriptor with_prefix;
	with_prefix.storage_type = 'u';
	with_prefix.path_or_inline_dv = "ab^-aqEH.-t@S}K{vb[*k^";
	EXPECT_EQ(DeletionVectorPath("/data/table", with_prefix),
	          fs::path("/data/table/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin"));

	DeletionVectorDescriptor without_prefix;
	without_prefix.storage_type = 'u';
	without_prefix.path_or_inline_dv = "vBn[lx{q8@P<9BNH/isA";
	EXPECT_EQ(DeletionVectorPath("/data/table", without_prefix),
	          fs::path("/data/table/deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin"));

	DeletionVectorDescriptor too_short;
	too_short.path_or_inline_dv = "vBn[lx{q8@P<9BNH/is";
	EXPECT_THROW(DeletionVectorPath("/data/table", too_short), CorruptError);
	DeletionVectorDescriptor bad_char;
	bad_char.path_or_inline_dv = "a~vBn[lx{q8@P<9BNH/isA";
	EXPECT_NO_THROW(DeletionVectorPath("/data/table", bad_char)); // the prefix is any text
	bad_char.path_or_inline_dv = "vBn[lx{q8@P<9BNH/is~";
	EXPECT_THROW(DeletionVectorPath("/data/table", bad_char), CorruptError);
}

TEST(DeletionVector, LoadsInlineDeletionVectors) {
	auto descriptor = InlineDeletionVector({1, 4, 300});
	DeletionVectorDescriptor dv;
	dv.storage_type = 'i';
	dv.path_or_inline_dv = descriptor["pathOrInlineDv"].get<std::string>();
	dv.size_in_bytes = descriptor["sizeInBytes"].get<int32_t>();
	dv.cardinality = 3;
	EXPECT_EQ(LoadDeletedRows("/unused", dv), (std::vector<uint64_t>{1, 4, 300}));
	dv.cardinality = 4;
	EXPECT_THROW(LoadDeletedRows("/unused", dv), CorruptError);
}

TEST(DeletionVector, LoadsDeletionVectorFiles) {
	TempDir dir;
	auto data = BitmapArray({{0, ArrayBitmap({{0, {0, 9}}})}, {1, ArrayBitmap({{0, {2}}})}});
	// A format version byte, then at the offset: big-endian size, the bitmap array and its checksum; a second
	// vector follows in the same file.
	auto other = BitmapArray({{0, ArrayBitmap({{0, {5}}})}});
	auto file = Bytes()
	                .U8(1)
	                .BigEndianU32(static_cast<uint32_t>(data.size()))
	                .Raw(data)
	                .U32(0)
	                .BigEndianU32(static_cast<uint32_t>(other.size()))
	                .Raw(other)
	                .U32(0)
	                .Data();
	WriteTextFile(dir.Path() / "ab" / "deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin", file);

	DeletionVectorDescriptor dv;
	dv.storage_type = 'u';
	dv.path_or_inline_dv = "ab^-aqEH.-t@S}K{vb[*k^";
	dv.offset = 1;
	dv.size_in_bytes = static_cast<int32_t>(data.size());
	dv.cardinality = 3;
	EXPECT_EQ(LoadDeletedRows(dir.Path(), dv), (std::vector<uint64_t>{0, 9, (uint64_t(1) << 32) + 2}));

	DeletionVectorDescriptor second = dv;
	second.offset = static_cast<int32_t>(1 + 4 + data.size() + 4);
	second.size_in_bytes = static_cast<int32_t>(other.size());
	second.cardinality = 1;
	EXPECT_EQ(LoadDeletedRows(dir.Path(), second), (std::vector<uint64_t>{5}));

	auto wrong_size = dv;
	wrong_size.size_in_bytes += 1;
	EXPECT_THROW(LoadDeletedRows(dir.Path(), wrong_size), CorruptError);
	auto beyond = dv;
	beyond.offset = static_cast<int32_t>(file.size());
	EXPECT_THROW(LoadDeletedRows(dir.Path(), beyond), CorruptError);
	auto missing = dv;
	missing.path_or_inline_dv = "vBn[lx{q8@P<9BNH/isA";
	EXPECT_THROW(LoadDeletedRows(dir.Path(), missing), NotFoundError);
}

} // namespace deltaduck
