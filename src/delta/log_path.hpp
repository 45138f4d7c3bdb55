#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace deltaduck::delta {

//! What a file in `_delta_log/` is, decided from its name alone.
enum class LogPathType {
	COMMIT,                //!< <v>.json
	CHECKPOINT,            //!< <v>.checkpoint.parquet
	MULTI_PART_CHECKPOINT, //!< <v>.checkpoint.<part>.<parts>.parquet
	V2_CHECKPOINT,         //!< <v>.checkpoint.<uuid>.json|parquet
	COMPACTED_COMMIT,      //!< <v>.<end>.compacted.json
	CHECKSUM,              //!< <v>.crc
	UNKNOWN                //!< versioned, but nothing we know (ignored)
};

//! A `_delta_log` file name parsed once into its typed form (delta-kernel's ParsedLogPath).
struct ParsedLogPath {
	std::string filename;
	int64_t version = 0;
	LogPathType type = LogPathType::UNKNOWN;
	//! 1-based part number and part count of a multi-part checkpoint.
	int32_t part = 0;
	int32_t num_parts = 0;
	//! Last version covered by a compacted commit.
	int64_t end_version = 0;
	//! The UUID of a V2 checkpoint; its format is `extension` ("json" or "parquet").
	std::string uuid;
	std::string extension;

	//! Parses a file name (no directory). Names that do not start with a 20-digit version (such as
	//! `_last_checkpoint`) give nothing.
	static std::optional<ParsedLogPath> Parse(const std::string &filename);
	bool IsCheckpoint() const {
		return type == LogPathType::CHECKPOINT || type == LogPathType::MULTI_PART_CHECKPOINT ||
		       type == LogPathType::V2_CHECKPOINT;
	}
};

//! The commit file name of a version: 20 digits, zero padded, ".json".
std::string CommitFileName(int64_t version);

} // namespace deltaduck::delta
