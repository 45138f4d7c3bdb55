#pragma once

#include "delta/actions.hpp"

#include <set>
#include <string>

namespace deltaduck::delta {

//! The highest reader protocol version this reader implements.
constexpr int32_t MAX_READER_VERSION = 3;

//! Reader features this reader implements: the one list consulted by protocol gating.
const std::set<std::string> &SupportedReaderFeatures();

//! Throws UnsupportedError naming every reader feature (or the reader version) of `protocol` that this
//! reader does not implement. A table passing this check is read correctly, or not at all.
void CheckReadSupported(const Protocol &protocol);

//! Whether the table uses a reader feature, counting legacy versions (reader version 2 = column mapping).
bool UsesReaderFeature(const Protocol &protocol, const std::string &feature);

} // namespace deltaduck::delta
