#pragma once

#include "delta/actions.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck::delta {

//! Decodes Z85 (ZeroMQ's base-85) text; its length must be a multiple of 5.
std::string DecodeZ85(std::string_view text);

//! Decodes Delta's "RoaringBitmapArray" (magic 1681511377, then 64-bit count of 32-bit-keyed portable
//! Roaring bitmaps) into sorted row indexes. Throws CorruptError on malformed input.
std::vector<uint64_t> DecodeRoaringBitmapArray(std::string_view bytes);

//! The row indexes a deletion vector marks deleted, read inline or from its file under `table_root`
//! (checking the stored size and cardinality).
std::vector<uint64_t> LoadDeletedRows(const std::filesystem::path &table_root, const DeletionVectorDescriptor &dv);

//! The file a 'u' (UUID-relative) deletion vector lives in.
std::filesystem::path DeletionVectorPath(const std::filesystem::path &table_root, const DeletionVectorDescriptor &dv);

} // namespace deltaduck::delta
