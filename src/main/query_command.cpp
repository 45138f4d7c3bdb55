#include "engine/connection.hpp"
#include "main/commands.hpp"
#include "main/data_database.hpp"
#include "main/result_format.hpp"
#include "sql/delta_reference.hpp"
#include "sql/delta_tables.hpp"

#include <filesystem>

#include <iostream>
#include <iterator>
#include <memory>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

struct QueryOptions {
	DataOptions data;
	std::string format = "table";
	std::string sql;
};

void RunQuery(const QueryOptions &options) {
	auto format = ParseOutputFormat(options.format);
	std::string sql = options.sql;
	if (sql == "-") {
		sql.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
	}
	auto connection = Connection::Open(OpenDataDatabase(options.data.data_dir));
	// OpenDataDatabase made the data directory the working directory.
	sql = sql::IsQuackQuery(sql) ? sql::QuackSql(10) : sql::ExpandDeltaTables(connection, fs::current_path(), sql);
	auto result = connection.Query(sql);
	PrintResult(result, format, std::cout);
	std::cout.flush();
}

} // namespace

void AddQueryCommand(CLI::App &app) {
	auto options = std::make_shared<QueryOptions>();
	auto *command = app.add_subcommand("query", "Run SQL on an in-memory DuckDB rooted at the data directory");
	command->footer(
	    "Relative paths that SQL reads resolve inside the data directory; SQL cannot read or write files\n"
	    "outside it. Examples:\n"
	    "  deltaduck query \"SELECT 42 AS answer\"\n"
	    "  deltaduck query \"SELECT * FROM =(^)climate WHERE city = 'Oslo'\"   (the Delta table deltalake/climate)\n"
	    "  deltaduck query \"SELECT count(*) FROM =(^)climate@3\"   (version 3; or @'2026-01-01T00:00:00Z')\n"
	    "  deltaduck query --format csv \"SELECT * FROM read_csv('raw/climate/*.csv') LIMIT 5\"\n"
	    "  echo \"SELECT 1\" | deltaduck query -");
	AddDataOption(*command, options->data);
	command
	    ->add_option("--format", options->format,
	                 "Output: table (first 40 rows), csv (header then rows), json "
	                 "(one object per line)")
	    ->capture_default_str()
	    ->check(CLI::IsMember({"table", "csv", "json"}));
	command
	    ->add_option("sql", options->sql,
	                 "The SQL to run; several statements separated by `;` run in order and "
	                 "the last one's result is printed. `-` reads it from standard input")
	    ->required();
	command->callback([options] { RunQuery(*options); });
}

} // namespace deltaduck
