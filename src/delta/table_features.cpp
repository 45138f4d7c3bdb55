#include "delta/table_features.hpp"

#include "common/error.hpp"

namespace deltaduck::delta {

const std::set<std::string> &SupportedReaderFeatures() {
	static const std::set<std::string> FEATURES = {
	    "columnMapping",
	    "deletionVectors",
	    "timestampNtz",
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

} // namespace deltaduck::delta
