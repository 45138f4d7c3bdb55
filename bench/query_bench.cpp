// Benchmarks of the duck worker's querydata answers: time to the first rows, against the original
// dashboard's worker path, Table encoding throughput and chart downsampling.

#include "bench/bench.hpp"
#include "catalog/embedded_catalog.hpp"
#include "engine/connection.hpp"
#include "sql/delta_tables.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/duck_worker.hpp"
#include "worker/ingest.hpp"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace deltaduck::bench {

namespace fs = std::filesystem;
using json = nlohmann::json;

//! A Delta table of `rows` rows (id, category, amount, label) under `<data>/deltalake/<name>`, written once.
void MakeTable(const fs::path &data, const std::string &name, uint64_t rows) {
	if (fs::exists(data / "deltalake" / name / "_delta_log" / "00000000000000000000.json")) {
		return;
	}
	if (rows >= 1000000) {
		std::printf("# writing the %llu-row Delta table %s (once)\n", static_cast<unsigned long long>(rows),
		            name.c_str());
		std::fflush(stdout);
	}
	worker::SandboxOptions sandbox;
	sandbox.for_writing = true;
	sandbox.spill = true;
	auto connection = Connection::Open(worker::OpenSandboxedDatabase(data, sandbox));
	worker::IngestRequest request;
	request.table = name;
	request.source = "SELECT i AS id, CAST(i % 97 AS INTEGER) AS category, i * 0.5 AS amount, 'label ' || (i % 1000) "
	                 "AS label FROM range(" +
	                 std::to_string(rows) + ") t(i)";
	worker::Ingest(connection, data, request);
}

namespace {

//! One querydata request, answered as the JSON text a transport sends; throws if the reply is an error.
std::string Ask(worker::DuckWorker &worker, const std::string &sql, const std::vector<std::string> &contents,
                int render) {
	auto reply = worker.Handle(
	    {{"request_endpoint", "querydata"},
	     {"request_args", {{"request_query", sql}, {"request_contents", contents}, {"request_render", render}}}});
	if (reply.find("\"error\":{") != std::string::npos) {
		throw std::runtime_error("query failed: " + reply);
	}
	return reply;
}

double BestAsk(worker::DuckWorker &worker, const std::string &sql, const std::vector<std::string> &contents, int render,
               int runs = 5) {
	Ask(worker, sql, contents, render); // warm: the files' footers are cached by the OS either way
	return BestSeconds(runs, [&] { Ask(worker, sql, contents, render); });
}

void FirstRows(worker::DuckWorker &worker) {
	// Milliseconds each: the best of many runs, so a busy moment of the machine does not decide.
	double big = BestAsk(worker, "SELECT * FROM =(^)t100m", {"Table", "Message"}, 100, 25);
	double small = BestAsk(worker, "SELECT * FROM =(^)t1m", {"Table", "Message"}, 100, 25);
	Report("first_rows_100_of_100m_vs_1m", big, small, "s");
}

void AgainstOriginal(worker::DuckWorker &worker, const fs::path &data) {
	double ours = BestAsk(worker, "SELECT * FROM =(^)t10m", {"Table", "Message"}, 100, 3);
	auto output =
	    Capture(std::string(DELTADUCK_VENV_PYTHON) + " " + DELTADUCK_SOURCE_DIR + "/bench/original_worker.py --data '" +
	            data.string() + "' --query 'SELECT * FROM =(^)t10m' --render 100 --repeat 3");
	auto at = output.find("SECONDS ");
	if (at == std::string::npos) {
		throw std::runtime_error("original_worker.py printed no SECONDS line: " + output);
	}
	Report("querydata_first_100_rows_vs_original", ours, std::stod(output.substr(at + 8)), "s");
}

void EncodingThroughput(worker::DuckWorker &worker, const fs::path &data) {
	const int rows = 10000;
	const std::string sql = "SELECT * FROM =(^)t1m LIMIT " + std::to_string(rows);
	double encoded = BestAsk(worker, sql, {"Table"}, rows, 20);
	// The same rows from the engine, fetched and not converted, on a database like the worker's.
	auto connection = Connection::Open(worker::OpenSandboxedDatabase(data));
	auto expanded = sql::ExpandDeltaTables(connection, data, sql);
	double raw = BestSeconds(20, [&] {
		auto result = connection.Query(expanded);
		while (result.Fetch()) {
		}
	});
	double values = rows * 4.0;
	std::printf("# table encoding: %.0f values/s encoded, %.0f values/s raw\n", values / encoded, values / raw);
	Report("table_json_encoding_throughput", values / encoded, values / raw, "values/s");
}

void ChartDownsample(worker::DuckWorker &worker) {
	double ours = BestAsk(worker, "SELECT id, amount, category FROM =(^)t10m", {"Chart"}, 2000, 3);
	double cut = BestAsk(worker, "SELECT id, amount, category FROM =(^)t10m LIMIT 2000", {"Chart"}, 2000, 3);
	Report("chart_downsample_10m_rows_to_2000", ours, cut, "s");
}

//! `checktable` over 500 Delta tables: listed again (summaries cached by version) vs listed by a new worker.
void CheckTable(const fs::path &root) {
	auto data = worker::RootAtDataDirectory((root / "many-tables").string());
	for (int i = 0; i < 500; i++) {
		auto name = "t" + std::to_string(i);
		if (!fs::exists(data / "deltalake" / name / "_delta_log")) {
			if (i == 0) {
				std::printf("# writing 500 small Delta tables (once)\n");
				std::fflush(stdout);
			}
			MakeTable(data, name, 10 + i);
		}
	}
	worker::DuckWorkerOptions options;
	options.data_dir = data;
	options.worker_id = "bench";
	auto open = [&] {
		return worker::DuckWorker::Open(options,
		                                catalog::EmbeddedCatalog::Open(data / ".deltaduck" / "catalog.duckdb"));
	};
	auto warm = open();
	auto list = [](worker::DuckWorker &worker) {
		auto reply = worker.Handle({{"request_endpoint", "checktable"}, {"request_args", json::object()}});
		if (reply.find("\"error\":{") != std::string::npos) {
			throw std::runtime_error("checktable failed: " + reply);
		}
	};
	list(*warm);
	double cached = BestSeconds(5, [&] { list(*warm); });
	double cold = BestSeconds(3, [&] {
		auto fresh = open();
		list(*fresh);
	});
	Report("checktable_500_tables_cached_vs_cold", cached, cold, "s");
}

} // namespace

void RunQueryBenchmarks() {
	auto data = worker::RootAtDataDirectory((fs::path(DELTADUCK_BINARY_DIR) / "bench-data" / "query").string());
	MakeTable(data, "t1m", 1000000);
	MakeTable(data, "t10m", 10000000);
	MakeTable(data, "t100m", 100000000);
	worker::DuckWorkerOptions options;
	options.data_dir = data;
	options.worker_id = "bench";
	auto worker =
	    worker::DuckWorker::Open(options, catalog::EmbeddedCatalog::Open(data / ".deltaduck" / "catalog.duckdb"));
	FirstRows(*worker);
	AgainstOriginal(*worker, data);
	EncodingThroughput(*worker, data);
	ChartDownsample(*worker);
	worker.reset();
	CheckTable(fs::path(DELTADUCK_BINARY_DIR) / "bench-data");
}

} // namespace deltaduck::bench
