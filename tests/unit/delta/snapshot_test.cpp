#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/scan.hpp"
#include "delta/snapshot.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "tests/unit/engine/engine_test_support.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace deltaduck {

using namespace delta;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

//! The live files' paths, sorted.
std::vector<std::string> FilePaths(const Snapshot &snapshot) {
	std::vector<std::string> paths;
	for (const auto &add : snapshot.Files()) {
		paths.push_back(add.path);
	}
	std::sort(paths.begin(), paths.end());
	return paths;
}

//! The message of the error `load` throws, checking its type; empty if it throws nothing.
template <class E, class F>
std::string ErrorMessage(F &&load) {
	try {
		load();
	} catch (const E &e) {
		return e.what();
	}
	ADD_FAILURE() << "expected an exception of the right type";
	return "";
}

bool Contains(const std::string &text, const std::string &part) {
	return text.find(part) != std::string::npos;
}

json DeletionVector(const std::string &path_or_inline, int32_t offset) {
	return {{"storageType", "u"},
	        {"pathOrInlineDv", path_or_inline},
	        {"offset", offset},
	        {"sizeInBytes", 34},
	        {"cardinality", 2}};
}

json WithDeletionVector(json action, const json &dv) {
	action.begin().value()["deletionVector"] = dv;
	return action;
}

json DeletionVectorProtocol() {
	auto protocol = ProtocolAction(3, 7);
	protocol["protocol"]["readerFeatures"] = {"deletionVectors"};
	protocol["protocol"]["writerFeatures"] = {"deletionVectors"};
	return protocol;
}

} // namespace

TEST(Snapshot, LoadsProtocolMetadataSchemaAndFiles) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto metadata = MetadataAction({{"id", "long"}, {"name", "string"}}, {});
	metadata["metaData"]["name"] = "people";
	metadata["metaData"]["configuration"] = {{"delta.appendOnly", "true"}};
	WriteCommit(dir.Path(), 0, {ProtocolAction(1, 2), metadata, AddAction("a.parquet"), AddAction("b.parquet")});
	auto snapshot = Snapshot::Load(connection, dir.Path());
	EXPECT_EQ(snapshot->Version(), 0);
	EXPECT_EQ(snapshot->TableRoot(), dir.Path());
	EXPECT_EQ(snapshot->GetProtocol().min_reader_version, 1);
	EXPECT_EQ(snapshot->GetProtocol().min_writer_version, 2);
	EXPECT_EQ(snapshot->GetMetadata().name, "people");
	EXPECT_EQ(snapshot->GetMetadata().configuration.at("delta.appendOnly"), "true");
	ASSERT_EQ(snapshot->GetSchema().fields.size(), 2u);
	EXPECT_EQ(snapshot->GetSchema().fields[1].name, "name");
	EXPECT_EQ(snapshot->GetSchema().fields[1].type->ToDuckDB(), "VARCHAR");
	EXPECT_EQ(FilePaths(*snapshot), (std::vector<std::string>{"a.parquet", "b.parquet"}));
	EXPECT_FALSE(snapshot->UsesColumnMapping());
}

TEST(Snapshot, ARemoveInALaterCommitRemovesTheFile) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteCommit(dir.Path(), 0,
	            {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet"), AddAction("b.parquet")});
	WriteCommit(dir.Path(), 1, {RemoveAction("a.parquet"), AddAction("c.parquet")});
	EXPECT_EQ(FilePaths(*Snapshot::Load(connection, dir.Path())), (std::vector<std::string>{"b.parquet", "c.parquet"}));
	// Time travel to before the remove still sees the file.
	auto first = Snapshot::Load(connection, dir.Path(), AtVersion(0));
	EXPECT_EQ(first->Version(), 0);
	EXPECT_EQ(FilePaths(*first), (std::vector<std::string>{"a.parquet", "b.parquet"}));
}

TEST(Snapshot, AFileAddedAgainAfterItsRemoveIsLiveOnce) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteCommit(dir.Path(), 0,
	            {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet"), AddAction("b.parquet")});
	WriteCommit(dir.Path(), 1, {RemoveAction("a.parquet")});
	WriteCommit(dir.Path(), 2, {AddAction("a.parquet")});
	EXPECT_EQ(FilePaths(*Snapshot::Load(connection, dir.Path())), (std::vector<std::string>{"a.parquet", "b.parquet"}));
	EXPECT_EQ(FilePaths(*Snapshot::Load(connection, dir.Path(), AtVersion(1))),
	          (std::vector<std::string>{"b.parquet"}));
}

TEST(Snapshot, TheLatestMetadataAndProtocolWin) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto first = MetadataAction({{"id", "long"}});
	first["metaData"]["name"] = "v0";
	auto second = MetadataAction({{"id", "long"}, {"label", "string"}}, {});
	second["metaData"]["name"] = "v1";
	auto third = MetadataAction({{"id", "long"}, {"label", "string"}, {"day", "date"}}, {"day"});
	third["metaData"]["name"] = "v3";
	WriteCommit(dir.Path(), 0, {ProtocolAction(1, 2), first, AddAction("a.parquet")});
	WriteCommit(dir.Path(), 1, {second});
	WriteCommit(dir.Path(), 2, {ProtocolAction(1, 4)});
	WriteCommit(dir.Path(), 3, {third, AddAction("b.parquet")});

	auto latest = Snapshot::Load(connection, dir.Path());
	EXPECT_EQ(latest->GetMetadata().name, "v3");
	EXPECT_EQ(latest->GetSchema().fields.size(), 3u);
	EXPECT_EQ(latest->GetMetadata().partition_columns, (std::vector<std::string>{"day"}));
	EXPECT_EQ(latest->GetProtocol().min_writer_version, 4);

	auto v1 = Snapshot::Load(connection, dir.Path(), AtVersion(1));
	EXPECT_EQ(v1->GetMetadata().name, "v1");
	EXPECT_EQ(v1->GetSchema().fields.size(), 2u);
	EXPECT_EQ(v1->GetProtocol().min_writer_version, 2);
	EXPECT_TRUE(v1->GetMetadata().partition_columns.empty());

	auto v0 = Snapshot::Load(connection, dir.Path(), AtVersion(0));
	EXPECT_EQ(v0->GetMetadata().name, "v0");
	EXPECT_EQ(v0->GetSchema().fields.size(), 1u);
}

TEST(Snapshot, KeepsTheLatestTransactionPerApplication) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto txn = [](const std::string &app, int64_t version) {
		return json{{"txn", {{"appId", app}, {"version", version}, {"lastUpdated", 1700000000000 + version}}}};
	};
	WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), txn("appA", 1)});
	WriteCommit(dir.Path(), 1, {txn("appA", 5), txn("appB", 2)});
	WriteCommit(dir.Path(), 2, {txn("appA", 7)});
	auto latest = Snapshot::Load(connection, dir.Path());
	ASSERT_EQ(latest->Transactions().size(), 2u);
	EXPECT_EQ(latest->Transactions().at("appA").version, 7);
	EXPECT_EQ(latest->Transactions().at("appA").last_updated, 1700000000007);
	EXPECT_EQ(latest->Transactions().at("appB").version, 2);
	auto v1 = Snapshot::Load(connection, dir.Path(), AtVersion(1));
	EXPECT_EQ(v1->Transactions().at("appA").version, 5);
	auto v0 = Snapshot::Load(connection, dir.Path(), AtVersion(0));
	EXPECT_EQ(v0->Transactions().size(), 1u);
	EXPECT_EQ(v0->Transactions().at("appA").version, 1);
}

TEST(Snapshot, KeepsTheLatestDomainMetadataAndDropsRemovedDomains) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto domain = [](const std::string &name, const std::string &configuration, bool removed) {
		return json{{"domainMetadata", {{"domain", name}, {"configuration", configuration}, {"removed", removed}}}};
	};
	WriteCommit(dir.Path(), 0,
	            {ProtocolAction(), MetadataAction({{"id", "long"}}), domain("a", "{\"x\":1}", false),
	             domain("b", "{}", false)});
	WriteCommit(dir.Path(), 1, {domain("a", "{\"x\":2}", false), domain("b", "{}", true)});
	auto latest = Snapshot::Load(connection, dir.Path());
	ASSERT_EQ(latest->Domains().size(), 1u);
	EXPECT_EQ(latest->Domains().at("a").configuration, "{\"x\":2}");
	EXPECT_EQ(Snapshot::Load(connection, dir.Path(), AtVersion(0))->Domains().size(), 2u);
}

TEST(Snapshot, TracksFilesByPathAndDeletionVector) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto dv_x = DeletionVector("vBn[lx{q8@P<9BNH/isA", 1);
	auto dv_y = DeletionVector("ab^-aqEH.-t@S}K{vb[*k^", 1);
	WriteCommit(
	    dir.Path(), 0,
	    {DeletionVectorProtocol(), MetadataAction({{"id", "long"}}), AddAction("a.parquet"), AddAction("b.parquet")});
	// A DELETE gives a.parquet a deletion vector: the old entry is removed, the new one added.
	WriteCommit(dir.Path(), 1, {RemoveAction("a.parquet"), WithDeletionVector(AddAction("a.parquet"), dv_x)});
	// A second DELETE replaces vector X with vector Y.
	WriteCommit(
	    dir.Path(), 2,
	    {WithDeletionVector(RemoveAction("a.parquet"), dv_x), WithDeletionVector(AddAction("a.parquet"), dv_y)});

	auto dv_of = [](const Snapshot &snapshot, const std::string &path) {
		std::vector<std::string> ids;
		for (const auto &add : snapshot.Files()) {
			if (add.path == path) {
				ids.push_back(add.deletion_vector ? add.deletion_vector->UniqueId() : "none");
			}
		}
		return ids;
	};
	auto latest = Snapshot::Load(connection, dir.Path());
	EXPECT_EQ(FilePaths(*latest), (std::vector<std::string>{"a.parquet", "b.parquet"}));
	EXPECT_EQ(dv_of(*latest, "a.parquet"), (std::vector<std::string>{"uab^-aqEH.-t@S}K{vb[*k^@1"}));
	auto v1 = Snapshot::Load(connection, dir.Path(), AtVersion(1));
	EXPECT_EQ(dv_of(*v1, "a.parquet"), (std::vector<std::string>{"uvBn[lx{q8@P<9BNH/isA@1"}));
	auto v0 = Snapshot::Load(connection, dir.Path(), AtVersion(0));
	EXPECT_EQ(dv_of(*v0, "a.parquet"), (std::vector<std::string>{"none"}));
	ASSERT_TRUE(latest->Files().size() == 2);
	for (const auto &add : latest->Files()) {
		if (add.path == "a.parquet") {
			ASSERT_TRUE(add.deletion_vector.has_value());
			EXPECT_EQ(add.deletion_vector->storage_type, 'u');
			EXPECT_EQ(add.deletion_vector->offset, 1);
			EXPECT_EQ(add.deletion_vector->size_in_bytes, 34);
			EXPECT_EQ(add.deletion_vector->cardinality, 2);
		}
	}
}

TEST(Snapshot, DecodesUriEncodedPaths) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteParquet(connection, dir.Path() / "a b.parquet", "SELECT 1::BIGINT AS id UNION ALL SELECT 2::BIGINT");
	WriteParquet(connection, dir.Path() / "x y.parquet", "SELECT 3::BIGINT AS id");
	WriteCommit(dir.Path(), 0,
	            {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a%20b.parquet"),
	             AddAction("x%20y.parquet"), AddAction("p%3D1/c%25d%2Eparquet")});
	WriteCommit(dir.Path(), 1, {RemoveAction("x%20y.parquet"), RemoveAction("p%3D1/c%25d%2Eparquet")});

	auto v0 = Snapshot::Load(connection, dir.Path(), AtVersion(0));
	EXPECT_EQ(FilePaths(*v0), (std::vector<std::string>{"a b.parquet", "p=1/c%d.parquet", "x y.parquet"}));
	auto latest = Snapshot::Load(connection, dir.Path());
	ASSERT_EQ(FilePaths(*latest), (std::vector<std::string>{"a b.parquet"}));
	EXPECT_EQ(latest->ResolvePath(latest->Files()[0].path), dir.Path() / "a b.parquet");
	// The decoded path is the file that is read.
	auto scan = Scan::Plan(connection, latest);
	EXPECT_EQ(QueryJsonRows(connection, "SELECT id FROM (" + scan.Sql() + ") ORDER BY id"), "[1]\n[2]");
}

TEST(Snapshot, ReadsACheckpointAndTheCommitsAfterIt) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto log = dir.Path() / "_delta_log";
	WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("gone.parquet")});
	WriteCommit(dir.Path(), 1, {RemoveAction("gone.parquet"), AddAction("f2.parquet"), AddAction("f3.parquet")});
	// Checkpoint 1 as Delta writers lay it out: one action struct per row, the other columns NULL.
	WriteParquet(connection, log / "00000000000000000001.checkpoint.parquet",
	             "SELECT CASE WHEN i = 0 THEN {'minReaderVersion': 1, 'minWriterVersion': 2} END AS protocol, "
	             "CASE WHEN i = 1 THEN {'id': 'table-id', 'name': 'from-checkpoint', 'schemaString': " +
	                 QuoteLiteral(SchemaString({{"id", "long"}})) +
	                 ", 'partitionColumns': []::VARCHAR[], 'format': {'provider': 'parquet'}, "
	                 "'configuration': MAP {}::MAP(VARCHAR, VARCHAR)} END AS metaData, "
	                 "CASE WHEN i IN (2, 3) THEN {'path': 'f' || i || '.parquet', 'partitionValues': MAP "
	                 "{}::MAP(VARCHAR, VARCHAR), 'size': 1::BIGINT, 'modificationTime': 0::BIGINT, 'dataChange': "
	                 "false} END AS add, "
	                 "CASE WHEN i = 4 THEN {'path': 'gone.parquet', 'deletionTimestamp': 5::BIGINT, 'dataChange': "
	                 "true} END AS remove, "
	                 "CASE WHEN i = 5 THEN {'appId': 'app', 'version': 3::BIGINT} END AS txn "
	                 "FROM range(6) t(i)");
	// Commit 0 is not read again: the file it added is only live if the checkpoint says so.
	WriteCommit(dir.Path(), 0,
	            {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("gone.parquet"),
	             AddAction("only-in-commit-0.parquet")});
	WriteCommit(
	    dir.Path(), 2,
	    {RemoveAction("f2.parquet"), AddAction("f5.parquet"), json{{"txn", {{"appId", "other"}, {"version", 1}}}}});

	auto latest = Snapshot::Load(connection, dir.Path());
	EXPECT_EQ(latest->Version(), 2);
	EXPECT_EQ(latest->GetMetadata().name, "from-checkpoint");
	EXPECT_EQ(FilePaths(*latest), (std::vector<std::string>{"f3.parquet", "f5.parquet"}));
	EXPECT_EQ(latest->Transactions().at("app").version, 3);
	EXPECT_EQ(latest->Transactions().at("other").version, 1);
	auto at_checkpoint = Snapshot::Load(connection, dir.Path(), AtVersion(1));
	EXPECT_EQ(FilePaths(*at_checkpoint), (std::vector<std::string>{"f2.parquet", "f3.parquet"}));
}

TEST(Snapshot, ATruncatedJsonLineIsCorruptNamingFileAndLine) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet")});
	WriteTextFile(dir.Path() / "_delta_log" / "00000000000000000001.json",
	              AddAction("b.parquet").dump() + "\n\n" + R"({"add":{"path":"c.parquet","si)");
	auto message = ErrorMessage<CorruptError>([&] { Snapshot::Load(connection, dir.Path()); });
	EXPECT_TRUE(Contains(message, "00000000000000000001.json")) << message;
	EXPECT_TRUE(Contains(message, "line 3")) << message;
	// Version 0 is unaffected.
	EXPECT_EQ(FilePaths(*Snapshot::Load(connection, dir.Path(), AtVersion(0))),
	          (std::vector<std::string>{"a.parquet"}));
}

TEST(Snapshot, ALineThatIsNotAnObjectIsCorrupt) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteTextFile(dir.Path() / "_delta_log" / "00000000000000000000.json",
	              ProtocolAction().dump() + "\n" + MetadataAction({{"id", "long"}}).dump() + "\n[1, 2]\n");
	auto message = ErrorMessage<CorruptError>([&] { Snapshot::Load(connection, dir.Path()); });
	EXPECT_TRUE(Contains(message, "00000000000000000000.json")) << message;
	EXPECT_TRUE(Contains(message, "line 3")) << message;
}

TEST(Snapshot, AnActionMissingARequiredFieldIsCorrupt) {
	struct Case {
		json action;
		std::string field;
	};
	std::vector<Case> cases = {
	    {json{{"add", {{"path", "a.parquet"}, {"partitionValues", json::object()}, {"dataChange", true}}}}, "size"},
	    {json{{"add", {{"size", 3}, {"partitionValues", json::object()}}}}, "path"},
	    {json{{"add", {{"path", "a.parquet"}, {"size", "3"}}}}, "size"},
	    {json{{"remove", {{"deletionTimestamp", 1}}}}, "path"},
	    {json{{"txn", {{"appId", "x"}}}}, "version"},
	    {json{{"metaData", {{"schemaString", SchemaString({{"id", "long"}})}}}}, "id"},
	    {json{{"protocol", {{"minWriterVersion", 2}}}}, "minReaderVersion"},
	    {WithDeletionVector(AddAction("a.parquet"), json{{"storageType", "u"}, {"sizeInBytes", 1}, {"cardinality", 1}}),
	     "pathOrInlineDv"},
	};
	auto connection = OpenTestConnection();
	for (const auto &test : cases) {
		SCOPED_TRACE(test.action.dump());
		TempDir dir;
		WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}})});
		WriteCommit(dir.Path(), 1, {test.action});
		auto message = ErrorMessage<CorruptError>([&] { Snapshot::Load(connection, dir.Path()); });
		EXPECT_TRUE(Contains(message, "'" + test.field + "'")) << message;
	}
}

TEST(Snapshot, ALogWithoutProtocolIsCorrupt) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteCommit(dir.Path(), 0, {MetadataAction({{"id", "long"}}), AddAction("a.parquet")});
	auto message = ErrorMessage<CorruptError>([&] { Snapshot::Load(connection, dir.Path()); });
	EXPECT_TRUE(Contains(message, "protocol")) << message;
}

TEST(Snapshot, ALogWithoutMetadataLoadsItsFilesButHasNoSchema) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteParquet(connection, dir.Path() / "a.parquet", "SELECT 1::BIGINT AS id");
	WriteCommit(dir.Path(), 0, {ProtocolAction(), AddAction("a.parquet")});
	auto snapshot = Snapshot::Load(connection, dir.Path());
	EXPECT_EQ(FilePaths(*snapshot), (std::vector<std::string>{"a.parquet"}));
	auto message = ErrorMessage<CorruptError>([&] { snapshot->GetSchema(); });
	EXPECT_TRUE(Contains(message, "metaData")) << message;
	EXPECT_THROW(snapshot->GetMetadata(), CorruptError);
	// Nothing can be read without a schema.
	EXPECT_THROW(Scan::Plan(connection, snapshot), CorruptError);
}

TEST(Snapshot, ProtocolGatingComesBeforeMissingMetadata) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteCommit(dir.Path(), 0, {ProtocolAction(99, 99), AddAction("a.parquet")});
	EXPECT_THROW(Snapshot::Load(connection, dir.Path()), UnsupportedError);
}

TEST(Snapshot, AnUnsupportedReaderFeatureIsNamed) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto protocol = ProtocolAction(3, 7);
	protocol["protocol"]["readerFeatures"] = {"deletionVectors", "fooBar"};
	protocol["protocol"]["writerFeatures"] = {"deletionVectors", "fooBar"};
	WriteCommit(dir.Path(), 0, {protocol, MetadataAction({{"id", "long"}})});
	auto message = ErrorMessage<UnsupportedError>([&] { Snapshot::Load(connection, dir.Path()); });
	EXPECT_TRUE(Contains(message, "fooBar")) << message;
	EXPECT_FALSE(Contains(message, "deletionVectors")) << message;
}

TEST(Snapshot, SupportedReaderFeaturesLoad) {
	TempDir dir;
	auto connection = OpenTestConnection();
	auto protocol = ProtocolAction(3, 7);
	protocol["protocol"]["readerFeatures"] = {"deletionVectors", "timestampNtz", "v2Checkpoint"};
	// A writer-only feature does not stop a reader.
	protocol["protocol"]["writerFeatures"] = {"deletionVectors", "timestampNtz", "v2Checkpoint", "fooBarWriter"};
	WriteCommit(dir.Path(), 0, {protocol, MetadataAction({{"id", "long"}, {"t", "timestamp_ntz"}})});
	auto snapshot = Snapshot::Load(connection, dir.Path());
	ASSERT_TRUE(snapshot->GetProtocol().reader_features.has_value());
	EXPECT_EQ(snapshot->GetProtocol().reader_features->size(), 3u);
}

TEST(Snapshot, AnUnsupportedReaderVersionIsRejected) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteCommit(dir.Path(), 0, {ProtocolAction(1, 2), MetadataAction({{"id", "long"}})});
	WriteCommit(dir.Path(), 1, {ProtocolAction(99, 99)});
	auto message = ErrorMessage<UnsupportedError>([&] { Snapshot::Load(connection, dir.Path()); });
	EXPECT_TRUE(Contains(message, "99")) << message;
	// The version before the upgrade is still readable.
	EXPECT_EQ(Snapshot::Load(connection, dir.Path(), AtVersion(0))->Version(), 0);
}

TEST(Snapshot, AnUnreadableCheckpointIsCorrupt) {
	auto connection = OpenTestConnection();
	for (const std::string &content : {std::string("this is not parquet \x01\x02\x03 PAR1", 29), std::string(),
	                                   std::string("PAR1\0\0\0\0PAR1", 12)}) {
		SCOPED_TRACE(content.size());
		TempDir dir;
		WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet")});
		WriteCommit(dir.Path(), 1, {AddAction("b.parquet")});
		WriteTextFile(dir.Path() / "_delta_log" / "00000000000000000001.checkpoint.parquet", content);
		auto message = ErrorMessage<CorruptError>([&] { Snapshot::Load(connection, dir.Path()); });
		EXPECT_TRUE(Contains(message, "00000000000000000001.checkpoint.parquet")) << message;
	}
}

TEST(Snapshot, ACheckpointWithoutActionColumnsIsCorrupt) {
	TempDir dir;
	auto connection = OpenTestConnection();
	WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet")});
	WriteCommit(dir.Path(), 1, {AddAction("b.parquet")});
	// A readable parquet file that holds no actions: the snapshot has no protocol, so it must not load.
	WriteParquet(connection, dir.Path() / "_delta_log" / "00000000000000000001.checkpoint.parquet", "SELECT 1 AS x");
	EXPECT_THROW(Snapshot::Load(connection, dir.Path()), CorruptError);
}

TEST(Snapshot, AMissingTableIsNotFound) {
	TempDir dir;
	auto connection = OpenTestConnection();
	EXPECT_THROW(Snapshot::Load(connection, dir.Path()), NotFoundError);
	WriteCommit(dir.Path(), 0, {ProtocolAction(), MetadataAction({{"id", "long"}})});
	EXPECT_THROW(Snapshot::Load(connection, dir.Path(), AtVersion(1)), NotFoundError);
}

} // namespace deltaduck

namespace deltaduck {

TEST(SnapshotCache, ReusesAnUnchangedTableAndSeesEveryChange) {
	TempDir dir;
	auto root = dir.Path() / "t";
	auto connection = OpenTestConnection();
	WriteCommit(root, 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet")});
	SetModificationTimeMs(root / "_delta_log" / "00000000000000000000.json", 1700000000000);
	auto first = delta::Snapshot::LoadCached(connection, root);
	EXPECT_EQ(delta::Snapshot::LoadCached(connection, root), first); // the same snapshot, not a new replay
	WriteCommit(root, 1, {AddAction("b.parquet")});
	auto second = delta::Snapshot::LoadCached(connection, root);
	EXPECT_EQ(second->Version(), 1);
	EXPECT_EQ(second->Files().size(), 2u);
	EXPECT_EQ(delta::Snapshot::LoadCached(connection, root, AtVersion(0)), first);
	// Made anew at the same version: the newest log file was written at another time, so it is read again.
	std::filesystem::remove_all(root);
	WriteCommit(root, 0, {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("c.parquet")});
	SetModificationTimeMs(root / "_delta_log" / "00000000000000000000.json", 1700000005000);
	auto remade = delta::Snapshot::LoadCached(connection, root);
	ASSERT_EQ(remade->Files().size(), 1u);
	EXPECT_EQ(remade->Files()[0].path, "c.parquet");
}

} // namespace deltaduck

namespace deltaduck {

namespace {

//! A snapshot's state as text: version, live files (path and deletion vector), tombstones, txns, domains, schema.
std::string StateOf(const delta::Snapshot &snapshot) {
	std::set<std::string> files, tombstones;
	for (const auto &add : snapshot.Files()) {
		files.insert(delta::FileKey(add.path, add.deletion_vector));
	}
	for (const auto &remove : snapshot.Tombstones()) {
		tombstones.insert(delta::FileKey(remove.path, remove.deletion_vector));
	}
	std::string text = std::to_string(snapshot.Version()) + "|" + snapshot.GetSchema().ToJson() + "|";
	for (const auto &file : files) {
		text += file + ",";
	}
	text += "|";
	for (const auto &file : tombstones) {
		text += file + ",";
	}
	for (const auto &[app, txn] : snapshot.Transactions()) {
		text += "|" + app + "=" + std::to_string(txn.version);
	}
	for (const auto &[name, domain] : snapshot.Domains()) {
		text += "|" + name + "=" + domain.configuration;
	}
	return text;
}

} // namespace

TEST(SnapshotCache, AdvancesACachedSnapshotByTheNewCommitsLikeAFullReplay) {
	TempDir dir;
	auto root = dir.Path() / "t";
	auto connection = OpenTestConnection();
	WriteCommit(root, 0,
	            {ProtocolAction(), MetadataAction({{"id", "long"}}), AddAction("a.parquet"), AddAction("b.parquet")});
	auto first = delta::Snapshot::LoadCached(connection, root);
	// Commits after it: removes, adds, a file added back, a schema change, txns and domains.
	WriteCommit(root, 1, {RemoveAction("a.parquet"), AddAction("c.parquet")});
	WriteCommit(root, 2,
	            {MetadataAction({{"id", "long"}, {"x", "string"}}),
	             {{"txn", {{"appId", "app"}, {"version", 3}}}},
	             {{"domainMetadata", {{"domain", "d"}, {"configuration", "{}"}, {"removed", false}}}}});
	WriteCommit(root, 3,
	            {AddAction("a.parquet"), RemoveAction("b.parquet"), {{"txn", {{"appId", "app"}, {"version", 4}}}}});
	auto advanced = delta::Snapshot::LoadCached(connection, root);
	EXPECT_NE(advanced, first);
	EXPECT_EQ(StateOf(*advanced), StateOf(*delta::Snapshot::Load(connection, root)));
	EXPECT_EQ(advanced->Files().size(), 2u);
	// And once more from there.
	WriteCommit(root, 4,
	            {{{"domainMetadata", {{"domain", "d"}, {"configuration", "{}"}, {"removed", true}}}},
	             RemoveAction("c.parquet")});
	EXPECT_EQ(StateOf(*delta::Snapshot::LoadCached(connection, root)),
	          StateOf(*delta::Snapshot::Load(connection, root)));
}

TEST(SnapshotCache, AdvancingAManyChunkSnapshotKeepsEveryOtherFile) {
	TempDir dir;
	auto root = dir.Path() / "t";
	auto connection = OpenTestConnection();
	std::vector<nlohmann::json> actions = {ProtocolAction(), MetadataAction({{"id", "long"}})};
	for (int i = 0; i < 3000; i++) { // three chunks of files
		actions.push_back(AddAction("f" + std::to_string(i) + ".parquet"));
	}
	WriteCommit(root, 0, actions);
	auto first = delta::Snapshot::LoadCached(connection, root);
	// Removes in the first and last chunks, one file added back, new files.
	WriteCommit(root, 1,
	            {RemoveAction("f0.parquet"), RemoveAction("f2999.parquet"), RemoveAction("f1500.parquet"),
	             AddAction("g.parquet")});
	WriteCommit(root, 2, {AddAction("f1500.parquet"), RemoveAction("g.parquet"), AddAction("h.parquet")});
	auto advanced = delta::Snapshot::LoadCached(connection, root);
	EXPECT_EQ(StateOf(*advanced), StateOf(*delta::Snapshot::Load(connection, root)));
	EXPECT_EQ(advanced->Files().size(), 2999u);
	EXPECT_EQ(first->Files().size(), 3000u); // the snapshot advanced from is unchanged
}

} // namespace deltaduck
