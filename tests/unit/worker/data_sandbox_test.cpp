#include "worker/data_sandbox.hpp"

#include "catalog/embedded_catalog.hpp"
#include "common/error.hpp"
#include "engine/database_config.hpp"
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
	for (const auto &link : {data / "raw" / "escape", data / "out", data / "f.csv"}) {
		fs::create_symlink(link.filename() == "f.csv" ? outside / "secret.csv" : outside, link);
		EXPECT_THROW(worker::RootAtDataDirectory(data.string()), PermissionError) << link;
		fs::remove(link);
	}
}

TEST_F(DataSandbox, LoggingAndSqlTextEvaluationAreRefused) {
	for (const char *sql :
	     {"CALL enable_logging()", "FROM enable_logging()", "SELECT * FROM \"enable_logging\"()",
	      "CALL disable_logging()", "CALL truncate_duckdb_logs()", "SELECT * FROM query('FROM enable_logging()')",
	      "CREATE MACRO m() AS TABLE FROM enable_logging()"}) {
		ExpectRefused(sql, "is not allowed");
	}
	// A name in a string or comment is no call.
	EXPECT_FALSE(Query("SELECT 'enable_logging()' AS s -- query(x)").contains("error"));
}

TEST_F(DataSandbox, DeltaTablesCannotBeWrittenBySql) {
	fs::create_directories(data / "deltalake" / "t" / "_delta_log");
	ExpectRefused("COPY (SELECT 'garbage') TO 'deltalake/t/_delta_log/00000000000000000001.json' (FORMAT csv)",
	              "may not write into deltalake/");
	ExpectRefused("COPY (SELECT 1) TO '" + (data / "deltalake" / "t" / "x.parquet").string() + "'", "deltalake/");
	ExpectRefused("COPY (SELECT 1) TO 'raw/../deltalake/t/y.csv'", "deltalake/");
	ExpectRefused("EXPORT DATABASE 'deltalake/dump'", "deltalake/");
	EXPECT_FALSE(fs::exists(data / "deltalake" / "t" / "_delta_log" / "00000000000000000001.json"));
	// Reading into a table is fine, and so is a query whose string mentions deltalake/ before TO.
	EXPECT_FALSE(Query("COPY (SELECT 'deltalake/t' AS s) TO 'raw/ok.csv'").contains("error"));
}

TEST_F(DataSandbox, TheExtensionDirectoryIsOutOfReach) {
	auto extensions = DefaultExtensionDirectory();
	ASSERT_FALSE(extensions.empty());
	ExpectRefused("SELECT * FROM glob('" + extensions + "/*')", "Permission");
}

TEST_F(DataSandbox, ARequestLeavesNoStateOnItsConnectionForTheNext) {
	// With one connection every request shares it: what one request changes must not reach the next.
	worker::DuckWorkerOptions options;
	options.data_dir = data;
	options.worker_id = "w";
	options.connections = 1;
	worker = worker::DuckWorker::Open(options, catalog::EmbeddedCatalog::Open(data / ".deltaduck" / "catalog.duckdb"));
	Query("CREATE TABLE shared AS SELECT 1 AS x");
	Query("CREATE SCHEMA other; CREATE TABLE other.shared AS SELECT 2 AS x; SET search_path = 'other'");
	EXPECT_EQ(Query("SELECT x FROM shared")["data"]["table"]["items"][0]["x"], 1);
	Query("BEGIN; CREATE TABLE pending AS SELECT 1 AS x");
	EXPECT_TRUE(Query("SELECT * FROM pending").contains("error")); // rolled back when the request ended
}

} // namespace deltaduck
