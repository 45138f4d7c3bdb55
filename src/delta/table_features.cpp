#include "delta/table_features.hpp"

#include "common/error.hpp"

#include <vector>

namespace deltaduck::delta {

const std::set<std::string> &SupportedReaderFeatures() {
	static const std::set<std::string> FEATURES = {
	    "columnMapping",
	    "deletionVectors",
	    "timestampNtz",
	    // Older files hold a narrower type than the schema (int where it now says long): the scan casts each
	    // column to the table's type.
	    "typeWidening",
	    "typeWidening-preview",
	    "v2Checkpoint",
	    // Only restricts which vacuum implementations may write; nothing for a reader to do.
	    "vacuumProtocolCheck",
	};
	return FEATURES;
}

void CheckReadSupported(const Protocol &protocol) {
	if (protocol.min_reader_version < 1 || protocol.min_reader_version > MAX_READER_VERSION) {
		throw UnsupportedError("unsupported Delta reader version " + std::to_string(protocol.min_reader_version) +
		                       " (this reader supports versions 1 to " + std::to_string(MAX_READER_VERSION) + ")");
	}
	if (protocol.min_reader_version < 3 || !protocol.reader_features) {
		return;
	}
	std::string unsupported;
	for (const auto &feature : *protocol.reader_features) {
		if (!SupportedReaderFeatures().count(feature)) {
			unsupported += (unsupported.empty() ? "" : ", ") + feature;
		}
	}
	if (!unsupported.empty()) {
		throw UnsupportedError("unsupported Delta reader feature(s): " + unsupported);
	}
}

bool UsesReaderFeature(const Protocol &protocol, const std::string &feature) {
	if (protocol.min_reader_version == 2) {
		return feature == "columnMapping";
	}
	if (protocol.min_reader_version >= 3 && protocol.reader_features) {
		for (const auto &name : *protocol.reader_features) {
			if (name == feature) {
				return true;
			}
		}
	}
	return false;
}

std::vector<std::string> WriterFeatures(const Protocol &protocol) {
	if (protocol.min_writer_version >= 7) {
		return protocol.writer_features.value_or(std::vector<std::string>{});
	}
	// Legacy versions stand for fixed feature sets (PROTOCOL.md, "Table Features"): each adds to the last.
	static const std::vector<std::pair<int32_t, std::string>> LEGACY = {
	    {2, "appendOnly"},       {2, "invariants"},    {3, "checkConstraints"}, {4, "changeDataFeed"},
	    {4, "generatedColumns"}, {5, "columnMapping"}, {6, "identityColumns"}};
	std::vector<std::string> features;
	for (const auto &[version, feature] : LEGACY) {
		if (protocol.min_writer_version >= version) {
			features.push_back(feature);
		}
	}
	return features;
}

std::vector<std::string> ReaderFeatures(const Protocol &protocol) {
	if (protocol.min_reader_version >= 3) {
		return protocol.reader_features.value_or(std::vector<std::string>{});
	}
	return protocol.min_reader_version == 2 ? std::vector<std::string>{"columnMapping"} : std::vector<std::string>{};
}

namespace {

bool IsTrue(const Metadata &metadata, const std::string &key) {
	auto it = metadata.configuration.find(key);
	return it != metadata.configuration.end() && (it->second == "true" || it->second == "TRUE" || it->second == "True");
}

//! Why this writer cannot write a table using `feature` (empty: it can). A feature the table enables in its
//! protocol but does not use (no invariant, no constraint, ...) needs nothing from a writer.
std::string WriteRefusal(const std::string &feature, const Metadata &metadata, bool replaces_data) {
	const auto &schema = metadata.schema_string;
	if (feature == "appendOnly") {
		return replaces_data && IsTrue(metadata, "delta.appendOnly")
		           ? "the table is append-only (delta.appendOnly = true): rows cannot be overwritten or removed"
		           : "";
	}
	if (feature == "invariants" || feature == "checkConstraints") {
		return ""; // enforced by the writer (delta/constraints.hpp), or refused there when DuckDB cannot evaluate one
	}
	if (feature == "generatedColumns") {
		return schema.find("delta.generationExpression") == std::string::npos
		           ? ""
		           : "generated columns are not computed yet";
	}
	if (feature == "identityColumns") {
		return schema.find("delta.identity") == std::string::npos ? "" : "identity columns are not assigned yet";
	}
	if (feature == "columnMapping") {
		// Written with physical names and field ids (top-level columns; nested ones are refused by the writer).
		return "";
	}
	// Appends leave existing deletion vectors alone and removes carry them; CDF readers derive changes from
	// whole-file adds and removes; timestamp_ntz is written as such; vacuumProtocolCheck only asks vacuum to
	// check this list.
	static const std::set<std::string> SUPPORTED = {"deletionVectors", "changeDataFeed", "timestampNtz",
	                                                "vacuumProtocolCheck"};
	return SUPPORTED.count(feature) ? "" : "not supported by this writer";
}

} // namespace

void CheckWriteSupported(const Protocol &protocol, const Metadata &metadata, bool replaces_data) {
	if (protocol.min_writer_version < 1 || protocol.min_writer_version > 7) {
		throw UnsupportedError("unsupported Delta writer version " + std::to_string(protocol.min_writer_version) +
		                       " (this writer supports versions 1 to 7)");
	}
	std::string refusals;
	for (const auto &feature : WriterFeatures(protocol)) {
		auto why = WriteRefusal(feature, metadata, replaces_data);
		if (!why.empty()) {
			refusals += (refusals.empty() ? "" : "; ") + feature + ": " + why;
		}
	}
	if (!refusals.empty()) {
		throw UnsupportedError("cannot write this Delta table: " + refusals);
	}
}

} // namespace deltaduck::delta
