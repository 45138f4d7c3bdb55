#include "catalog/embedded_catalog.hpp"
#include "common/error.hpp"
#include "engine/connection.hpp"
#include "main/commands.hpp"
#include "main/result_format.hpp"
#include "sql/delta_reference.hpp"
#include "sql/delta_tables.hpp"
#include "sql/pipeline.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/duck_worker.hpp"

#include <iostream>
#include <iterator>
#include <memory>

namespace deltaduck {

namespace {

struct QueryOptions {
	DataOptions data;
	std::string format = "table";
	std::string sql;
	//! Answer as the duck worker does (its querydata reply, JSON) instead of printing rows.
	bool reply = false;
	std::vector<std::string> contents = {"Message", "Table"};
	int64_t render = 10;
	std::string worker_id;
	double timeout_seconds = 300;
};

std::string ReadSql(const std::string &sql) {
	if (sql != "-") {
		return sql;
	}
	return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

//! Prints the reply the duck worker gives the dashboard for this query.
void PrintReply(const QueryOptions &options, const std::string &sql) {
	worker::DuckWorkerOptions worker_options;
	worker_options.data_dir = worker::RootAtDataDirectory(options.data.data_dir);
	worker_options.worker_id = options.worker_id;
	worker_options.query_timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_seconds * 1000));
	worker_options.connections = 2;
	auto catalog = catalog::EmbeddedCatalog::Open(worker_options.data_dir / worker::STATE_DIR / "catalog.duckdb");
	auto worker = worker::DuckWorker::Open(worker_options, std::move(catalog));
	nlohmann::json request = {
	    {"request_to", "duck"},
	    {"request_endpoint", "querydata"},
	    {"request_args",
	     {{"request_query", sql}, {"request_contents", options.contents}, {"request_render", options.render}}}};
	auto reply = worker->Handle(request);
	std::cout << reply << '\n';
	if (nlohmann::json::parse(reply).contains("error")) {
		throw std::runtime_error("the query failed (see the reply's error)");
	}
}

void RunQuery(const QueryOptions &options) {
	auto sql = ReadSql(options.sql);
	if (options.reply) {
		PrintReply(options, sql);
		return;
	}
	auto format = ParseOutputFormat(options.format);
	auto root = worker::RootAtDataDirectory(options.data.data_dir);
	auto database = worker::OpenSandboxedDatabase(root);
	auto connection = Connection::Open(database);
	database->LockConfiguration();
	auto statements = sql::IsQuackQuery(sql) ? std::vector<std::string>{sql::QuackSql(10)} : sql::SplitStatements(sql);
	if (statements.empty()) {
		throw InvalidInputError("no SQL statement given");
	}
	for (size_t i = 0; i < statements.size(); i++) {
		worker::UserStatement statement(connection, root, statements[i]);
		auto result = statement.Execute();
		if (i + 1 == statements.size()) {
			PrintResult(result, format, std::cout);
		} else {
			while (result.Fetch()) {
			}
		}
	}
	std::cout.flush();
}

} // namespace

void AddQueryCommand(CLI::App &app) {
	auto options = std::make_shared<QueryOptions>();
	auto *command = app.add_subcommand("query", "Run SQL on an in-memory DuckDB rooted at the data directory");
	command->footer(
	    "Relative paths that SQL reads resolve inside the data directory; SQL cannot read or write files\n"
	    "outside it, change settings or load extensions. Examples:\n"
	    "  deltaduck query \"SELECT 42 AS answer\"\n"
	    "  deltaduck query \"SELECT * FROM =(^)climate WHERE \\\"T (degC)\\\" > 25\"   (the Delta table "
	    "deltalake/climate)\n"
	    "  deltaduck query \"SELECT count(*) FROM =(^)climate@3\"   (version 3; or @'2026-01-01T00:00:00Z')\n"
	    "  deltaduck query --format csv \"SELECT * FROM read_csv('raw/climate/*.csv') LIMIT 5\"\n"
	    "  deltaduck query --reply --contents Table,Chart --render 100 \"SELECT * FROM =(^)climate\"\n"
	    "  echo \"SELECT 1\" | deltaduck query -");
	AddDataOption(*command, options->data);
	command
	    ->add_option("--format", options->format,
	                 "Output: table (first 40 rows), csv (header then rows), json "
	                 "(one object per line)")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"table", "csv", "json"}));
	command->add_flag("--reply", options->reply,
	                  "Print the duck worker's querydata reply (JSON, as the dashboard receives it)");
	command->add_option("--contents", options->contents, "With --reply: Message, Chart and/or Table")
	    ->delimiter(',')
	    ->capture_default_str();
	command->add_option("--render", options->render, "With --reply: rows to render (request_render)")
	    ->capture_default_str();
	command->add_option("--worker-id", options->worker_id, "With --reply: this worker's id (default: host name)");
	command->add_option("--query-timeout", options->timeout_seconds, "With --reply: seconds a request may run")
	    ->capture_default_str();
	command
	    ->add_option("sql", options->sql,
	                 "The SQL to run; several statements separated by `;` run in order and "
	                 "the last one's result is printed. `-` reads it from standard input")
	    ->required();
	command->callback([options] { RunQuery(*options); });
}

} // namespace deltaduck
