#include "worker/data_sandbox.hpp"

#include "catalog/embedded_catalog.hpp"
#include "common/error.hpp"
#include "tests/unit/delta/delta_test_support.hpp"
#include "worker/duck_worker.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace deltaduck {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

//! Dashboard SQL through a duck worker on a data directory beside a folder it must not reach.
class DataSandbox : public ::testing::Test {
protected:
	TempDir temp;
	fs::path data;
	fs::path outside;
	std::unique_ptr<worker::DuckWorker> worker;

	void SetUp() override {
		outside = temp.Path() / "outside";
		fs::create_directories(outside);
		std::ofstream(outside / "secret.csv") << "a\n1\n";
		fs::create_directories(temp.Path() / "data" / "raw" / "sales");
		std::ofstream(temp.Path() / "data" / "x.csv") << "a,b\n1,2\n";
		std::ofstream(temp.Path() / "data" / "raw" / "sales" / "s.csv") << "a,b\n3,4\n";
		data = worker::RootAtDataDirectory((temp.Path() / "data").string());
		worker::DuckWorkerOptions options;
		options.data_dir = data;
		options.worker_id = "w";
		worker =
		    worker::DuckWorker::Open(options, catalog::EmbeddedCatalog::Open(data / ".deltaduck" / "catalog.duckdb"));
	}

	json Query(const std::string &sql) {
		return json::parse(
		    worker->Handle({{"request_endpoint", "querydata"},
		                    {"request_args", {{"request_query", sql}, {"request_contents", {"Table"}}}}}));
	}

	void ExpectRefused(const std::string &sql, const std::string &reason) {
		auto reply = Query(sql);
		ASSERT_TRUE(reply.contains("error")) << sql << " was allowed: " << reply.dump();
		auto message = reply["error"]["message"].get<std::string>();
		EXPECT_NE(message.find(reason), std::string::npos) << sql << " -> " << message;
	}
};

} // namespace

TEST_F(DataSandbox, RelativePathsResolveInsideTheDataDirectory) {
	EXPECT_EQ(Query("SELECT b FROM 'x.csv'")["data"]["table"]["items"][0]["b"], 2);
	EXPECT_EQ(Query("SELECT b FROM read_csv('raw/sales/*.csv')")["data"]["table"]["items"][0]["b"], 4);
	EXPECT_EQ(Query("SELECT b FROM '" + (data / "x.csv").string() + "'")["data"]["table"]["items"][0]["b"], 2);
	EXPECT_FALSE(Query("COPY (SELECT 1 AS one) TO 'raw/out.csv'").contains("error"));
	EXPECT_TRUE(fs::exists(data / "raw" / "out.csv"));
}

TEST_F(DataSandbox, FilesOutsideCannotBeReadOrWritten) {
	const std::string secret = (outside / "secret.csv").string();
	ExpectRefused("SELECT * FROM read_csv('" + secret + "')", "Permission");
	ExpectRefused("SELECT * FROM '../outside/secret.csv'", "Permission");
	ExpectRefused("SELECT * FROM read_text('/etc/passwd')", "Permission");
	ExpectRefused("SELECT * FROM glob('/etc/*')", "Permission");
	ExpectRefused("COPY (SELECT 1) TO '" + (outside / "written.csv").string() + "'", "Permission");
	ExpectRefused("ATTACH '" + (outside / "other.duckdb").string() + "' AS other", "Permission");
	EXPECT_FALSE(fs::exists(outside / "written.csv"));
	EXPECT_FALSE(fs::exists(outside / "other.duckdb"));
}

TEST_F(DataSandbox, DeltaDucksOwnStateAndSpillFilesAreOutOfReach) {
	ExpectRefused("SELECT * FROM read_blob('.deltaduck/catalog.duckdb')", "Permission");
	ExpectRefused("ATTACH '.deltaduck/catalog.duckdb' AS c", "Permission");
	// DuckDB opens its temp directory to SQL even in a sandbox, so dashboard databases have none.
	auto spill = Query("SELECT current_setting('temp_directory') AS dir")["data"]["table"]["items"][0]["dir"];
	EXPECT_EQ(spill, "");
	ExpectRefused("SELECT * FROM glob('/tmp/*')", "Permission");
	ExpectRefused("SET temp_directory = '/tmp'", "locked");
}

TEST_F(DataSandbox, SettingsCannotBeChanged) {
	for (const char *statement : {"SET threads = 1", "SET memory_limit = '100GB'", "SET enable_external_access = true",
	                              "SET allowed_directories = ['/']", "SET lock_configuration = false",
	                              "RESET temp_directory", "PRAGMA threads = 1"}) {
		ExpectRefused(statement, "configuration has been locked");
	}
}

TEST_F(DataSandbox, ExtensionsAndSecretsAreRefusedWithoutANetworkAttempt) {
	ExpectRefused("INSTALL httpfs", "not allowed");
	ExpectRefused("FORCE INSTALL httpfs FROM 'http://127.0.0.1:1'", "not allowed");
	ExpectRefused("LOAD httpfs", "not allowed");
	ExpectRefused("CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')", "extension");
}

TEST_F(DataSandbox, ALinkLeadingOutMakesTheDirectoryRefuse) {
	fs::create_symlink(outside, data / "raw" / "escape");
	EXPECT_THROW(worker::RootAtDataDirectory(data.string()), PermissionError);
	fs::remove(data / "raw" / "escape");
}

} // namespace deltaduck
