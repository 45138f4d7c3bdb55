#pragma once

#include "delta/actions.hpp"

#include <set>
#include <string>
#include <vector>

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

//! The writer features a protocol requires, legacy writer versions expanded into the features they imply
//! (2: appendOnly, invariants; 3: + checkConstraints; 4: + changeDataFeed, generatedColumns; 5: +
//! columnMapping; 6: + identityColumns).
std::vector<std::string> WriterFeatures(const Protocol &protocol);
//! The reader features a protocol requires (reader version 2: columnMapping).
std::vector<std::string> ReaderFeatures(const Protocol &protocol);

//! Throws UnsupportedError naming every writer feature of the table that this writer cannot honour for this
//! write: unknown features, features it does not implement yet that the table uses (invariants, CHECK
//! constraints, generated or identity columns, column mapping, row tracking, ...), and appendOnly when
//! `replaces_data` (overwrite, delete). The one list of writer support, beside the reader's.
void CheckWriteSupported(const Protocol &protocol, const Metadata &metadata, bool replaces_data);

} // namespace deltaduck::delta
