#include "common/error.hpp"
#include "delta/history.hpp"
#include "delta/log_segment.hpp"
#include "tests/unit/delta/delta_test_support.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace deltaduck {

using namespace delta;
namespace fs = std::filesystem;

namespace {

//! Writes commits `first`..`last` (a protocol and metaData in commit 0, an add in each).
void WriteCommits(const fs::path &root, int64_t first, int64_t last) {
	for (int64_t version = first; version <= last; version++) {
		std::vector<nlohmann::json> actions;
		if (version == 0) {
			actions.push_back(ProtocolAction());
			actions.push_back(MetadataAction({{"id", "long"}}));
		}
		actions.push_back(AddAction("part-" + std::to_string(version) + ".parquet"));
		WriteCommit(root, version, actions);
	}
}

//! An empty file in the log: LogSegment::Build only looks at names.
void Touch(const fs::path &root, const std::string &name) {
	WriteTextFile(root / "_delta_log" / name, "");
}

std::vector<int64_t> CommitVersions(const LogSegment &segment) {
	std::vector<int64_t> versions;
	for (const auto &commit : segment.commits) {
		versions.push_back(commit.path.version);
	}
	return versions;
}

std::vector<std::string> CheckpointNames(const LogSegment &segment) {
	std::vector<std::string> names;
	for (const auto &part : segment.checkpoint_parts) {
		names.push_back(part.filename);
	}
	return names;
}

} // namespace

TEST(LogSegment, BuildsTheLatestVersion) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 2);
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_EQ(segment.version, 2);
	EXPECT_EQ(segment.log_dir, dir.Path() / "_delta_log");
	EXPECT_TRUE(segment.checkpoint_parts.empty());
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{0, 1, 2}));
	EXPECT_EQ(segment.commits[1].path.filename, "00000000000000000001.json");
	EXPECT_EQ(segment.commits[1].path.type, LogPathType::COMMIT);
}

TEST(LogSegment, IgnoresFilesThatAreNotCommitsOrCheckpoints) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 1);
	Touch(dir.Path(), "00000000000000000001.crc");
	Touch(dir.Path(), "00000000000000000005.json.tmp");
	Touch(dir.Path(), "00000000000000000005.00000000000000000007.compacted.json");
	Touch(dir.Path(), "README.txt");
	fs::create_directories(dir.Path() / "_delta_log" / "00000000000000000009.json"); // a folder, not a commit
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_EQ(segment.version, 1);
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{0, 1}));
}

TEST(LogSegment, BuildsAnExplicitVersion) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 3);
	auto segment = LogSegment::Build(dir.Path(), AtVersion(1));
	EXPECT_EQ(segment.version, 1);
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{0, 1}));
	auto first = LogSegment::Build(dir.Path(), AtVersion(0));
	EXPECT_EQ(first.version, 0);
	EXPECT_EQ(CommitVersions(first), (std::vector<int64_t>{0}));
}

TEST(LogSegment, AVersionBeyondTheLatestIsNotFound) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 2);
	EXPECT_THROW(LogSegment::Build(dir.Path(), AtVersion(3)), NotFoundError);
	try {
		LogSegment::Build(dir.Path(), AtVersion(7));
		FAIL() << "expected NotFoundError";
	} catch (const NotFoundError &e) {
		EXPECT_NE(std::string(e.what()).find("7"), std::string::npos) << e.what();
		EXPECT_NE(std::string(e.what()).find("latest is 2"), std::string::npos) << e.what();
	}
	EXPECT_THROW(LogSegment::Build(dir.Path(), AtVersion(-1)), InvalidInputError);
}

TEST(LogSegment, AGapInCommitVersionsIsCorrupt) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 1);
	WriteCommits(dir.Path(), 3, 4);
	try {
		LogSegment::Build(dir.Path(), {});
		FAIL() << "expected CorruptError";
	} catch (const CorruptError &e) {
		EXPECT_NE(std::string(e.what()).find("missing commit version 2"), std::string::npos) << e.what();
	}
	EXPECT_THROW(LogSegment::Build(dir.Path(), AtVersion(3)), CorruptError);
	// Versions before the gap are still whole.
	EXPECT_EQ(CommitVersions(LogSegment::Build(dir.Path(), AtVersion(1))), (std::vector<int64_t>{0, 1}));
}

TEST(LogSegment, AMissingFirstCommitWithoutCheckpointIsCorrupt) {
	TempDir dir;
	WriteCommits(dir.Path(), 1, 2);
	EXPECT_THROW(LogSegment::Build(dir.Path(), {}), CorruptError);
}

TEST(LogSegment, AFolderWithoutADeltaLogIsNotFound) {
	TempDir dir;
	EXPECT_THROW(LogSegment::Build(dir.Path(), {}), NotFoundError);
	EXPECT_THROW(LogSegment::Build(dir.Path() / "no-such-table", {}), NotFoundError);
	// An empty log, or one without versioned files, is no table either.
	fs::create_directories(dir.Path() / "_delta_log");
	EXPECT_THROW(LogSegment::Build(dir.Path(), {}), NotFoundError);
	Touch(dir.Path(), "_last_checkpoint");
	EXPECT_THROW(LogSegment::Build(dir.Path(), {}), NotFoundError);
	EXPECT_THROW(ListCommits(dir.Path()), NotFoundError);
}

TEST(LogSegment, StartsFromTheNewestCheckpoint) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 5);
	Touch(dir.Path(), "00000000000000000002.checkpoint.parquet");
	Touch(dir.Path(), "00000000000000000004.checkpoint.parquet");
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_EQ(segment.version, 5);
	EXPECT_EQ(CheckpointNames(segment), (std::vector<std::string>{"00000000000000000004.checkpoint.parquet"}));
	EXPECT_EQ(segment.checkpoint_parts[0].type, LogPathType::CHECKPOINT);
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{5}));

	// An older version starts from the newest checkpoint at or below it.
	auto older = LogSegment::Build(dir.Path(), AtVersion(3));
	EXPECT_EQ(CheckpointNames(older), (std::vector<std::string>{"00000000000000000002.checkpoint.parquet"}));
	EXPECT_EQ(CommitVersions(older), (std::vector<int64_t>{3}));
	auto at_checkpoint = LogSegment::Build(dir.Path(), AtVersion(4));
	EXPECT_EQ(CheckpointNames(at_checkpoint), (std::vector<std::string>{"00000000000000000004.checkpoint.parquet"}));
	EXPECT_TRUE(at_checkpoint.commits.empty());
	auto before = LogSegment::Build(dir.Path(), AtVersion(1));
	EXPECT_TRUE(before.checkpoint_parts.empty());
	EXPECT_EQ(CommitVersions(before), (std::vector<int64_t>{0, 1}));
}

TEST(LogSegment, CommitsBeforeTheCheckpointMayBeGone) {
	TempDir dir;
	// Log cleanup removed commits 0-2; checkpoint 3 stands in for them.
	WriteCommits(dir.Path(), 3, 5);
	Touch(dir.Path(), "00000000000000000003.checkpoint.parquet");
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_EQ(segment.version, 5);
	EXPECT_EQ(CheckpointNames(segment), (std::vector<std::string>{"00000000000000000003.checkpoint.parquet"}));
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{4, 5}));
}

TEST(LogSegment, ACheckpointWithoutItsCommitStillCounts) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 1);
	Touch(dir.Path(), "00000000000000000002.checkpoint.parquet");
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_EQ(segment.version, 2);
	EXPECT_EQ(CheckpointNames(segment), (std::vector<std::string>{"00000000000000000002.checkpoint.parquet"}));
	EXPECT_TRUE(segment.commits.empty());
}

TEST(LogSegment, UsesAllPartsOfACompleteMultiPartCheckpoint) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 5);
	Touch(dir.Path(), "00000000000000000004.checkpoint.0000000002.0000000002.parquet");
	Touch(dir.Path(), "00000000000000000004.checkpoint.0000000001.0000000002.parquet");
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_EQ(CheckpointNames(segment),
	          (std::vector<std::string>{"00000000000000000004.checkpoint.0000000001.0000000002.parquet",
	                                    "00000000000000000004.checkpoint.0000000002.0000000002.parquet"}));
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{5}));
}

TEST(LogSegment, SkipsAnIncompleteMultiPartCheckpoint) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 5);
	Touch(dir.Path(), "00000000000000000002.checkpoint.0000000001.0000000002.parquet");
	Touch(dir.Path(), "00000000000000000002.checkpoint.0000000002.0000000002.parquet");
	// Part 2 of 3 was never written (a writer crashed): checkpoint 4 cannot be used.
	Touch(dir.Path(), "00000000000000000004.checkpoint.0000000001.0000000003.parquet");
	Touch(dir.Path(), "00000000000000000004.checkpoint.0000000003.0000000003.parquet");
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_EQ(segment.version, 5);
	EXPECT_EQ(CheckpointNames(segment),
	          (std::vector<std::string>{"00000000000000000002.checkpoint.0000000001.0000000002.parquet",
	                                    "00000000000000000002.checkpoint.0000000002.0000000002.parquet"}));
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{3, 4, 5}));
}

TEST(LogSegment, AnIncompleteCheckpointWithoutAnOlderOneReplaysAllCommits) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 3);
	Touch(dir.Path(), "00000000000000000002.checkpoint.0000000002.0000000002.parquet");
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_TRUE(segment.checkpoint_parts.empty());
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(LogSegment, PrefersACompleteCheckpointAmongSeveralAtOneVersion) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 3);
	// An incomplete 3-part checkpoint next to a complete 2-part one of the same version.
	Touch(dir.Path(), "00000000000000000002.checkpoint.0000000001.0000000003.parquet");
	Touch(dir.Path(), "00000000000000000002.checkpoint.0000000001.0000000002.parquet");
	Touch(dir.Path(), "00000000000000000002.checkpoint.0000000002.0000000002.parquet");
	auto segment = LogSegment::Build(dir.Path(), {});
	EXPECT_EQ(CheckpointNames(segment),
	          (std::vector<std::string>{"00000000000000000002.checkpoint.0000000001.0000000002.parquet",
	                                    "00000000000000000002.checkpoint.0000000002.0000000002.parquet"}));
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{3}));
}

TEST(LogSegment, UsesV2Checkpoints) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 4);
	Touch(dir.Path(), "00000000000000000003.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json");
	auto segment = LogSegment::Build(dir.Path(), {});
	ASSERT_EQ(segment.checkpoint_parts.size(), 1u);
	EXPECT_EQ(segment.checkpoint_parts[0].type, LogPathType::V2_CHECKPOINT);
	EXPECT_EQ(segment.checkpoint_parts[0].extension, "json");
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{4}));
}

TEST(LogSegment, LastCheckpointHintDoesNotMatter) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 5);
	Touch(dir.Path(), "00000000000000000002.checkpoint.parquet");
	Touch(dir.Path(), "00000000000000000004.checkpoint.parquet");
	auto check = [&](const std::string &hint) {
		SCOPED_TRACE(hint);
		auto segment = LogSegment::Build(dir.Path(), {});
		EXPECT_EQ(segment.version, 5);
		EXPECT_EQ(CheckpointNames(segment), (std::vector<std::string>{"00000000000000000004.checkpoint.parquet"}));
		EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{5}));
	};
	check("no hint");
	// Stale (points at an older checkpoint), pointing at a checkpoint that does not exist, and garbage.
	WriteTextFile(dir.Path() / "_delta_log" / "_last_checkpoint", R"({"version":2,"size":3})");
	check("stale hint");
	WriteTextFile(dir.Path() / "_delta_log" / "_last_checkpoint", R"({"version":9,"size":3,"parts":4})");
	check("hint to a missing checkpoint");
	WriteTextFile(dir.Path() / "_delta_log" / "_last_checkpoint", "\x01\x02{not json at all");
	check("garbage hint");
}

TEST(LogSegment, TimestampPicksTheLatestCommitAtOrBeforeIt) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 2);
	const int64_t t0 = 1600000000000;
	auto log = dir.Path() / "_delta_log";
	SetModificationTimeMs(log / CommitFileName(0), t0);
	SetModificationTimeMs(log / CommitFileName(1), t0 + 10000);
	SetModificationTimeMs(log / CommitFileName(2), t0 + 20000);

	auto at = [&](int64_t ms) { return LogSegment::Build(dir.Path(), AtTimestamp(ms)); };
	EXPECT_EQ(at(t0).version, 0);
	EXPECT_EQ(at(t0 + 9999).version, 0);
	EXPECT_EQ(at(t0 + 10000).version, 1);
	EXPECT_EQ(at(t0 + 15000).version, 1);
	EXPECT_EQ(at(t0 + 20000).version, 2);
	EXPECT_EQ(at(t0 + 1000000000).version, 2);
	auto segment = at(t0 + 15000);
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{0, 1}));
	EXPECT_EQ(segment.commits[0].modification_time_ms, t0);
	EXPECT_EQ(segment.commits[1].modification_time_ms, t0 + 10000);

	try {
		at(t0 - 1);
		FAIL() << "expected NotFoundError";
	} catch (const NotFoundError &e) {
		// The message names the earliest commit's time, to the millisecond.
		EXPECT_NE(std::string(e.what()).find("the earliest commit is at 2020-09-13T12:26:40.000Z"), std::string::npos)
		    << e.what();
	}
	EXPECT_THROW(at(0), NotFoundError);
}

TEST(LogSegment, CommitTimesAreMadeMonotonic) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 2);
	const int64_t t0 = 1600000000000;
	auto log = dir.Path() / "_delta_log";
	SetModificationTimeMs(log / CommitFileName(0), t0);
	SetModificationTimeMs(log / CommitFileName(1), t0 + 10000);
	// The clock went backwards for commit 2: it counts as written at commit 1's time.
	SetModificationTimeMs(log / CommitFileName(2), t0 + 5000);

	auto commits = ListCommits(dir.Path());
	ASSERT_EQ(commits.size(), 3u);
	auto times = CommitTimestamps(log, commits);
	EXPECT_EQ(times[0], t0);
	EXPECT_EQ(times[1], t0 + 10000);
	EXPECT_EQ(times[2], t0 + 10000);
	EXPECT_EQ(LogSegment::Build(dir.Path(), AtTimestamp(t0 + 6000)).version, 0);
	EXPECT_EQ(LogSegment::Build(dir.Path(), AtTimestamp(t0 + 10000)).version, 2);
}

TEST(LogSegment, TimestampTravelUsesCheckpoints) {
	TempDir dir;
	WriteCommits(dir.Path(), 0, 4);
	Touch(dir.Path(), "00000000000000000002.checkpoint.parquet");
	const int64_t t0 = 1600000000000;
	for (int64_t version = 0; version <= 4; version++) {
		SetModificationTimeMs(dir.Path() / "_delta_log" / CommitFileName(version), t0 + version * 1000);
	}
	auto segment = LogSegment::Build(dir.Path(), AtTimestamp(t0 + 3500));
	EXPECT_EQ(segment.version, 3);
	EXPECT_EQ(CheckpointNames(segment), (std::vector<std::string>{"00000000000000000002.checkpoint.parquet"}));
	EXPECT_EQ(CommitVersions(segment), (std::vector<int64_t>{3}));
}

} // namespace deltaduck
