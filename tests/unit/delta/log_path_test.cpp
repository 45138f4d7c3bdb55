#include "delta/log_path.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace deltaduck {

using namespace delta;

TEST(LogPath, ParsesCommits) {
	auto path = ParsedLogPath::Parse("00000000000000000005.json");
	ASSERT_TRUE(path.has_value());
	EXPECT_EQ(path->filename, "00000000000000000005.json");
	EXPECT_EQ(path->version, 5);
	EXPECT_EQ(path->type, LogPathType::COMMIT);
	EXPECT_FALSE(path->IsCheckpoint());

	auto large = ParsedLogPath::Parse("00000000001234567890.json");
	ASSERT_TRUE(large.has_value());
	EXPECT_EQ(large->version, 1234567890);
	EXPECT_EQ(large->type, LogPathType::COMMIT);
}

TEST(LogPath, ParsesClassicCheckpoints) {
	auto path = ParsedLogPath::Parse("00000000000000000010.checkpoint.parquet");
	ASSERT_TRUE(path.has_value());
	EXPECT_EQ(path->version, 10);
	EXPECT_EQ(path->type, LogPathType::CHECKPOINT);
	EXPECT_TRUE(path->IsCheckpoint());
	EXPECT_EQ(path->filename, "00000000000000000010.checkpoint.parquet");
}

TEST(LogPath, ParsesMultiPartCheckpoints) {
	auto path = ParsedLogPath::Parse("00000000000000000010.checkpoint.0000000002.0000000003.parquet");
	ASSERT_TRUE(path.has_value());
	EXPECT_EQ(path->version, 10);
	EXPECT_EQ(path->type, LogPathType::MULTI_PART_CHECKPOINT);
	EXPECT_EQ(path->part, 2);
	EXPECT_EQ(path->num_parts, 3);
	EXPECT_TRUE(path->IsCheckpoint());

	auto last = ParsedLogPath::Parse("00000000000000000010.checkpoint.0000000003.0000000003.parquet");
	ASSERT_TRUE(last.has_value());
	EXPECT_EQ(last->type, LogPathType::MULTI_PART_CHECKPOINT);
	EXPECT_EQ(last->part, 3);
}

TEST(LogPath, RejectsImpossibleCheckpointParts) {
	// A part beyond the part count, or part 0, is not a checkpoint part: the file is ignored.
	for (std::string name : {"00000000000000000010.checkpoint.0000000004.0000000003.parquet",
	                         "00000000000000000010.checkpoint.0000000000.0000000003.parquet",
	                         "00000000000000000010.checkpoint.000000000x.0000000003.parquet",
	                         "00000000000000000010.checkpoint.0000000001.0000000002.json"}) {
		auto path = ParsedLogPath::Parse(name);
		ASSERT_TRUE(path.has_value()) << name;
		EXPECT_EQ(path->version, 10) << name;
		EXPECT_EQ(path->type, LogPathType::UNKNOWN) << name;
		EXPECT_FALSE(path->IsCheckpoint()) << name;
	}
}

TEST(LogPath, ParsesV2Checkpoints) {
	auto json = ParsedLogPath::Parse("00000000000000000007.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json");
	ASSERT_TRUE(json.has_value());
	EXPECT_EQ(json->version, 7);
	EXPECT_EQ(json->type, LogPathType::V2_CHECKPOINT);
	EXPECT_EQ(json->uuid, "80a083e8-7026-4e79-81be-64bd76c43a11");
	EXPECT_EQ(json->extension, "json");
	EXPECT_TRUE(json->IsCheckpoint());

	auto parquet = ParsedLogPath::Parse("00000000000000000007.checkpoint.80A083E8-7026-4E79-81BE-64BD76C43A11.parquet");
	ASSERT_TRUE(parquet.has_value());
	EXPECT_EQ(parquet->type, LogPathType::V2_CHECKPOINT);
	EXPECT_EQ(parquet->uuid, "80A083E8-7026-4E79-81BE-64BD76C43A11");
	EXPECT_EQ(parquet->extension, "parquet");
}

TEST(LogPath, RejectsMalformedV2Checkpoints) {
	for (std::string name : {"00000000000000000007.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.avro",
	                         "00000000000000000007.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a1.json",
	                         "00000000000000000007.checkpoint.80a083e8x7026-4e79-81be-64bd76c43a11.json",
	                         "00000000000000000007.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a1g.json"}) {
		auto path = ParsedLogPath::Parse(name);
		ASSERT_TRUE(path.has_value()) << name;
		EXPECT_EQ(path->type, LogPathType::UNKNOWN) << name;
		EXPECT_FALSE(path->IsCheckpoint()) << name;
	}
}

TEST(LogPath, ParsesCompactedCommits) {
	auto path = ParsedLogPath::Parse("00000000000000000004.00000000000000000006.compacted.json");
	ASSERT_TRUE(path.has_value());
	EXPECT_EQ(path->version, 4);
	EXPECT_EQ(path->end_version, 6);
	EXPECT_EQ(path->type, LogPathType::COMPACTED_COMMIT);
	EXPECT_FALSE(path->IsCheckpoint());

	// The end version must be a full 20-digit version too.
	auto short_end = ParsedLogPath::Parse("00000000000000000004.6.compacted.json");
	ASSERT_TRUE(short_end.has_value());
	EXPECT_EQ(short_end->type, LogPathType::UNKNOWN);
}

TEST(LogPath, ParsesChecksums) {
	auto path = ParsedLogPath::Parse("00000000000000000003.crc");
	ASSERT_TRUE(path.has_value());
	EXPECT_EQ(path->version, 3);
	EXPECT_EQ(path->type, LogPathType::CHECKSUM);
	EXPECT_FALSE(path->IsCheckpoint());
}

TEST(LogPath, UnknownVersionedNamesAreKeptAsUnknown) {
	for (std::string name :
	     {"00000000000000000003.json.tmp", "00000000000000000003.parquet", "00000000000000000003.checkpoint",
	      "00000000000000000003.checkpoint.json", "00000000000000000003.JSON", "00000000000000000003.foo.bar"}) {
		auto path = ParsedLogPath::Parse(name);
		ASSERT_TRUE(path.has_value()) << name;
		EXPECT_EQ(path->version, 3) << name;
		EXPECT_EQ(path->type, LogPathType::UNKNOWN) << name;
		EXPECT_FALSE(path->IsCheckpoint()) << name;
	}
}

TEST(LogPath, NamesWithoutAVersionGiveNothing) {
	for (std::string name : {"_last_checkpoint", "_commits", "_sidecars", "", ".json", "json", "00000000000000000003",
	                         "0000000000000000003.json", "000000000000000000003.json", "0000000000000000000a.json",
	                         "-0000000000000000003.json", "+0000000000000000003.json", ".00000000000000000003.json"}) {
		EXPECT_FALSE(ParsedLogPath::Parse(name).has_value()) << name;
	}
}

TEST(LogPath, CommitFileNamePadsToTwentyDigits) {
	EXPECT_EQ(CommitFileName(0), "00000000000000000000.json");
	EXPECT_EQ(CommitFileName(123), "00000000000000000123.json");
	EXPECT_EQ(CommitFileName(9223372036854775807LL), "09223372036854775807.json");
	for (int64_t version : {int64_t(0), int64_t(1), int64_t(99), int64_t(1) << 40, int64_t(9223372036854775807LL)}) {
		auto parsed = ParsedLogPath::Parse(CommitFileName(version));
		ASSERT_TRUE(parsed.has_value()) << version;
		EXPECT_EQ(parsed->version, version);
		EXPECT_EQ(parsed->type, LogPathType::COMMIT);
	}
}

} // namespace deltaduck
