#include "worker/duck_worker.hpp"

#include "catalog/lineage_json.hpp"
#include "common/error.hpp"
#include "common/json_writer.hpp"
#include "sql/delta_reference.hpp"
#include "sql/delta_tables.hpp"
#include "sql/pipeline.hpp"
#include "worker/answer.hpp"
#include "worker/connection_pool.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/delta_table_list.hpp"
#include "worker/held_results.hpp"
#include "worker/lineage_recorder.hpp"
#include "worker/running_queries.hpp"
#include "worker/table_details.hpp"

#include <algorithm>
#include <cctype>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <unistd.h>

namespace deltaduck::worker {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string DefaultWorkerId() {
	char name[256] = {};
	std::string host = gethostname(name, sizeof(name) - 1) == 0 && *name ? name : "localhost";
	// The process id tells apart two workers on one host: each holds its own in-memory tables.
	return host + ":" + std::to_string(getpid());
}

namespace {

//! Most rows a request may ask to render (the dashboard's slider goes to 10,000).
constexpr int64_t MAX_RENDER = 100000;

//! One request's answer settings.
struct AnswerRequest {
	AnswerContents contents;
	//! The kinds asked for, as the request spelled them (echoed in `response_contents`).
	std::vector<std::string> content_names;
	uint64_t render = 10;
	//! Hold the whole result on the server (`keep`), for fetchrows and export.
	bool keep = false;
};

//! A request as the worker runs it: its id as the client gave it, the id it runs under, where messages go.
struct Call {
	std::string request_id;
	std::string run_id;
	const Send &send;
};

//! A held result still being stored after the reply was sent: the rest of the rows drain into it.
struct PendingHold {
	std::unique_ptr<HeldResults::Writer> writer;
	std::optional<QueryResult> rest;
};

//! `"delta_versions": {name: version}`: the version of each `=(^)` table a query read, so that a permalink can
//! pin them and read the same answer later. Nothing when it read none.
void WriteDeltaVersions(JsonWriter &json, const std::vector<sql::DeltaRead> &reads) {
	if (reads.empty()) {
		return;
	}
	std::map<std::string, int64_t> versions;
	for (const auto &read : reads) {
		versions[read.name] = read.version;
	}
	json.Key("delta_versions");
	json.BeginObject();
	for (const auto &[name, version] : versions) {
		json.Key(name);
		json.Int(version);
	}
	json.EndObject();
}

//! Refuses a query unless every statement only reads: a request its first worker took and never answered (it
//! stopped) comes again, and the first run may have taken effect (the original replayed CREATEs); a download
//! link (`read_only`) must not change anything whoever makes a browser follow it. `why` starts the message.
void RefuseUnlessReadOnly(Connection &connection, const std::filesystem::path &data_dir, const std::string &query,
                          const std::string &why) {
	std::vector<std::string> statements;
	if (sql::IsQuackQuery(query)) {
		return;
	}
	if (sql::IsPipeline(query)) {
		for (const auto &step : sql::ParsePipeline(query)) {
			statements.push_back(step.sql);
		}
	} else {
		statements = sql::SplitStatements(query);
	}
	for (const auto &statement : statements) {
		auto type = UserStatement(connection, data_dir, statement).Type();
		if (type != StatementType::SELECT && type != StatementType::EXPLAIN) {
			throw ConflictError(why + " (" + StatementTypeName(type) + ")");
		}
	}
}

//! An optional count argument from `low` to `high`.
uint64_t CountArgument(const json &args, const char *name, uint64_t fallback, uint64_t low, uint64_t high) {
	const auto &value = Field(args, name);
	if (value.is_null()) {
		return fallback;
	}
	if (!value.is_number_integer() || value.get<int64_t>() < int64_t(low) || value.get<uint64_t>() > high) {
		throw InvalidInputError(std::string("request_args.") + name + " must be an integer from " +
		                        std::to_string(low) + " to " + std::to_string(high) + ", got " + value.dump());
	}
	return value.get<uint64_t>();
}

bool FlagArgument(const json &args, const char *name) {
	const auto &value = Field(args, name);
	if (!value.is_null() && !value.is_boolean()) {
		throw InvalidInputError(std::string("request_args.") + name + " must be true or false");
	}
	return value.is_boolean() && value.get<bool>();
}

//! Most rows one fetchrows window may hold.
constexpr uint64_t MAX_WINDOW = 10000;

AnswerRequest ParseAnswerRequest(const json &args) {
	AnswerRequest request;
	const auto &contents = Field(args, "request_contents");
	if (contents.is_null()) {
		request.content_names = {"Message"};
	} else if (!contents.is_array()) {
		throw InvalidInputError("request_args.request_contents must be a list of Message, Chart, Table");
	} else {
		for (const auto &item : contents) {
			auto name = item.is_string() ? item.get<std::string>() : item.dump();
			request.content_names.push_back(name);
		}
	}
	for (const auto &name : request.content_names) {
		if (name == "Message") {
			request.contents.message = true;
		} else if (name == "Chart") {
			request.contents.chart = true;
		} else if (name == "Table") {
			request.contents.table = true;
		} else {
			throw InvalidInputError("unknown request_contents entry: " + name + " (expected Message, Chart or Table)");
		}
	}
	auto render = Field(args, "request_render");
	if (render.is_string()) {
		// The original read it with int(): "100" was as good as 100.
		auto parsed = json::parse(render.get<std::string>(), nullptr, false);
		render = parsed.is_number_integer() ? parsed : render;
	}
	if (!render.is_null()) {
		if (!render.is_number_integer() || render.get<int64_t>() < 1 || render.get<int64_t>() > MAX_RENDER) {
			throw InvalidInputError("request_args.request_render must be an integer from 1 to " +
			                        std::to_string(MAX_RENDER) + ", got " + render.dump());
		}
		request.render = render.get<uint64_t>();
	}
	request.keep = FlagArgument(args, "keep");
	return request;
}

std::string FormatMs(int64_t ms) {
	char text[32];
	time_t seconds = static_cast<time_t>(ms / 1000);
	struct tm parts;
	gmtime_r(&seconds, &parts);
	std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &parts);
	char millis[8];
	std::snprintf(millis, sizeof(millis), ".%03dZ", static_cast<int>(ms % 1000));
	return std::string(text) + millis;
}

} // namespace

struct DuckWorker::Impl {
	DuckWorkerOptions options;
	std::shared_ptr<catalog::Catalog> catalog;
	LineageRecorder lineage;
	RunningQueries running;
	DeltaTableList delta_tables;
	std::mutex pool_mutex;
	std::shared_ptr<ConnectionPool> pool;

	Impl(DuckWorkerOptions options_p, std::shared_ptr<catalog::Catalog> catalog_p)
	    : options(std::move(options_p)), catalog(std::move(catalog_p)), lineage(*catalog, options.worker_id),
	      running(options.query_timeout) {
	}

	std::shared_ptr<ConnectionPool> OpenPool(const std::string &database_path) {
		SandboxOptions sandbox;
		sandbox.database_path = database_path;
		sandbox.threads = options.threads;
		sandbox.autocomplete = true;
		sandbox.postgres = options.postgres;
		sandbox.memory_limit_bytes = options.memory_limit_bytes;
		return ConnectionPool::Open(OpenSandboxedDatabase(options.data_dir, sandbox), options.connections);
	}

	std::shared_ptr<ConnectionPool> Pool() {
		std::lock_guard<std::mutex> lock(pool_mutex);
		return pool;
	}

	std::string Dispatch(const std::string &endpoint, const json &args, const Call &call);
	std::string QueryData(const json &args, const Call &call);
	std::string FetchRows(const json &args, const std::string &request_id);
	std::string CheckTable(const std::string &request_id);
	std::string DuckConnect(const json &args, const std::string &request_id);
	std::string Cancel(const json &args, const std::string &request_id);
	//! Runs the `;`-separated statements of `sql` in order and writes the last one's answer as `data`.
	//! `pending` (may be null) receives a held result whose rows may be stored after the reply.
	//! `complete`: DuckDB's suggestions for the SQL text up to the cursor.
	std::string Complete(const json &args, const Call &call);
	void AnswerStatements(Connection &connection, const RunningQueries::Registration &registration,
	                      const std::string &sql, const AnswerRequest &request, JsonWriter &json,
	                      PendingHold *pending = nullptr);
	void AnswerRows(Connection &connection, const RunningQueries::Registration &registration, QueryResult result,
	                const std::string &sql, const std::vector<sql::DeltaRead> &reads, const AnswerRequest &request,
	                JsonWriter &json, PendingHold *pending);
	//! Stores the rest of a held result, then sends its `held` message (an error one if it failed).
	void FinishHold(const RunningQueries::Registration &registration, PendingHold &pending, const Call &call);
	void RunPipeline(ConnectionPool &pool, const RunningQueries::Registration &registration, const std::string &text,
	                 const AnswerRequest &request, JsonWriter &json);
};

DuckWorker::DuckWorker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
}
DuckWorker::~DuckWorker() = default;

std::unique_ptr<DuckWorker> DuckWorker::Open(DuckWorkerOptions options, std::shared_ptr<catalog::Catalog> catalog) {
	if (options.worker_id.empty()) {
		options.worker_id = DefaultWorkerId();
	}
	std::error_code error;
	if (fs::current_path(error) != options.data_dir) {
		// Relative paths in SQL resolve against the working directory: it must be the data directory.
		throw InternalError("the duck worker needs the process rooted at its data directory " +
		                    options.data_dir.string() + " (see RootAtDataDirectory)");
	}
	auto impl = std::make_unique<Impl>(std::move(options), std::move(catalog));
	impl->pool = impl->OpenPool(":memory:");
	return std::unique_ptr<DuckWorker>(new DuckWorker(std::move(impl)));
}

const std::string &DuckWorker::WorkerId() const {
	return impl_->options.worker_id;
}

std::string DuckWorker::Handle(const json &request) {
	std::string reply;
	Handle(
	    request,
	    [&](std::string message) {
		    if (reply.empty()) {
			    reply = std::move(message);
		    }
	    },
	    "");
	return reply;
}

bool DuckWorker::Cancel(const std::string &run_id) {
	return impl_->running.Cancel(run_id);
}

std::optional<double> DuckWorker::Progress(const std::string &run_id) const {
	return impl_->running.Progress(run_id);
}

void DuckWorker::Handle(const json &request, const Send &send, const std::string &run_id) {
	std::string request_id;
	std::string respond_to = "duck";
	try {
		if (!request.is_object()) {
			throw InvalidInputError("a request must be a JSON object");
		}
		request_id = RequestId(request);
		auto endpoint = RequireString(request, "request_endpoint");
		if (endpoint == "duckconnect") {
			respond_to = "settings";
		}
		const auto &args = Field(request, "request_args");
		if (!args.is_null() && !args.is_object()) {
			throw InvalidInputError("request_args must be an object");
		}
		auto reply = impl_->Dispatch(endpoint, args.is_null() ? json::object() : args,
		                             Call{request_id, run_id.empty() ? request_id : run_id, send});
		if (!reply.empty()) {
			send(std::move(reply));
		}
	} catch (const std::exception &e) {
		send(ErrorReply(respond_to, request_id, e));
	}
}

std::string DuckWorker::Impl::Dispatch(const std::string &endpoint, const json &args, const Call &call) {
	const auto &request_id = call.request_id;
	if (endpoint == "querydata") {
		return QueryData(args, call);
	}
	if (endpoint == "fetchrows") {
		return FetchRows(args, request_id);
	}
	if (endpoint == "tabledetails") {
		RunningQueries::Registration registration(running, call.run_id);
		auto lease = Pool()->Acquire(registration.Deadline());
		auto details = TableDetails(*lease, options.data_dir, RequireString(args, "table"), *catalog);
		return json{{"respond_to", "duck"},
		            {"request_id", request_id.empty() ? json() : json(request_id)},
		            {"response_contents", {"Message"}},
		            {"data", {{"message", "Delta table " + details["name"].get<std::string>()}, {"details", details}}}}
		    .dump();
	}
	if (endpoint == "checktable") {
		return CheckTable(request_id);
	}
	if (endpoint == "complete") {
		return Complete(args, call);
	}
	if (endpoint == "duckconnect") {
		return DuckConnect(args, request_id);
	}
	if (endpoint == "cancel") {
		return Cancel(args, request_id);
	}
	throw InvalidInputError(
	    "unknown duck endpoint: " + endpoint +
	    " (expected querydata, fetchrows, checktable, tabledetails, complete, duckconnect or cancel)");
}

std::string DuckWorker::Impl::Complete(const json &args, const Call &call) {
	auto text = RequireString(args, "sql");
	if (text.size() > 100000) {
		throw InvalidInputError("request_args.sql is longer than 100,000 characters");
	}
	RunningQueries::Registration registration(running, call.run_id);
	auto lease = Pool()->Acquire(registration.Deadline());
	json suggestions = json::array();
	try {
		// DuckDB's own autocomplete knows its keywords, functions, and the tables and columns of this database.
		auto statement = lease->Prepare("SELECT suggestion, suggestion_start FROM sql_auto_complete($1) LIMIT 50");
		statement.Bind(1, std::string_view(text));
		auto result = statement.Execute();
		auto slice = ResultSlice::Read(result, 50);
		for (uint64_t row = 0; row < slice.RowCount(); row++) {
			auto text = json::parse(slice.Cell(row, 0)).get<std::string>();
			// Words only (keywords, functions, tables, columns): not the operators and punctuation it also offers.
			if (std::any_of(text.begin(), text.end(),
			                [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
				while (!text.empty() && text.back() == ' ') {
					text.pop_back();
				}
				suggestions.push_back({{"text", text}, {"start", json::parse(slice.Cell(row, 1))}});
			}
		}
	} catch (...) {
		registration.Rethrow(std::current_exception());
	}
	return json{{"respond_to", "duck"},
	            {"request_id", call.request_id.empty() ? json() : json(call.request_id)},
	            {"response_contents", json::array()},
	            {"data", {{"suggestions", suggestions}}}}
	    .dump();
}

std::string DuckWorker::Impl::QueryData(const json &args, const Call &call) {
	auto query = RequireString(args, "request_query");
	auto request = ParseAnswerRequest(args);
	if (request.keep && !options.held_results) {
		throw UnsupportedError("this worker holds no results: request_args.keep is not available");
	}
	std::string out;
	JsonWriter json(out);
	WriteReplyHead(json, "duck", call.request_id);
	json.Key("response_contents");
	json.BeginArray();
	for (const auto &name : request.content_names) {
		json.String(name);
	}
	json.EndArray();
	json.Key("data");
	RunningQueries::Registration registration(running, call.run_id);
	// One pool for the whole request: a duckconnect meanwhile does not split a pipeline over two databases.
	auto pool = Pool();
	try {
		if (Field(args, "redelivered") == true) {
			auto lease = pool->Acquire(registration.Deadline());
			RefuseUnlessReadOnly(*lease, options.data_dir, query,
			                     "the worker that took this request stopped before answering, and it is not run again "
			                     "because it changes data: check whether it took effect, then send it again");
		}
		if (Field(args, "read_only") == true) {
			auto lease = pool->Acquire(registration.Deadline());
			RefuseUnlessReadOnly(*lease, options.data_dir, query,
			                     "only SELECT queries may be run here: this one changes data");
		}
		if (sql::IsPipeline(query)) {
			RunPipeline(*pool, registration, query, request, json);
			json.EndObject();
			return out;
		}
		auto lease = pool->Acquire(registration.Deadline());
		RunningQueries::Registration::Attachment attached(registration, *lease);
		PendingHold pending;
		AnswerStatements(*lease, registration, query, request, json, &pending);
		json.EndObject();
		if (!pending.rest) {
			return out;
		}
		// The first rows go out now; the connection stays with the request while the rest is stored.
		call.send(std::move(out));
		FinishHold(registration, pending, call);
		return "";
	} catch (...) {
		registration.Rethrow(std::current_exception());
	}
}

void DuckWorker::Impl::FinishHold(const RunningQueries::Registration &registration, PendingHold &pending,
                                  const Call &call) {
	std::string out;
	JsonWriter json(out);
	WriteReplyHead(json, "duck", call.request_id);
	json.Key("held");
	json.BeginObject();
	json.Key("result_id");
	json.String(pending.writer->Id());
	try {
		try {
			while (auto chunk = pending.rest->Fetch()) {
				pending.writer->Append(chunk);
			}
			pending.rest.reset();
			auto rows = pending.writer->Finish();
			json.Key("row_count");
			json.UInt(rows);
			json.Key("complete");
			json.Bool(true);
		} catch (...) {
			registration.Rethrow(std::current_exception());
		}
	} catch (const std::exception &e) {
		auto *typed = dynamic_cast<const Error *>(&e);
		json.Key("complete");
		json.Bool(false);
		json.Key("error");
		json.BeginObject();
		json.Key("type");
		json.String(ErrorTypeName(typed ? typed->Type() : ErrorType::INTERNAL));
		json.Key("message");
		json.String(std::string("the result could not be held: ") + e.what());
		json.EndObject();
	}
	json.EndObject();
	json.EndObject();
	call.send(std::move(out));
}

std::string DuckWorker::Impl::FetchRows(const json &args, const std::string &request_id) {
	if (!options.held_results) {
		throw UnsupportedError("this worker holds no results: fetchrows is not available");
	}
	auto id = RequireString(args, "result_id");
	auto offset = CountArgument(args, "offset", 0, 0, std::numeric_limits<int64_t>::max());
	auto limit = CountArgument(args, "limit", 100, 1, MAX_WINDOW);
	std::string out;
	JsonWriter json(out);
	WriteReplyHead(json, "duck", request_id);
	json.Key("response_contents");
	json.BeginArray();
	json.String("Table");
	json.EndArray();
	json.Key("data");
	options.held_results->WriteWindow(json, id, offset, limit);
	json.EndObject();
	return out;
}

void DuckWorker::Impl::AnswerStatements(Connection &connection, const RunningQueries::Registration &registration,
                                        const std::string &sql, const AnswerRequest &request, JsonWriter &json,
                                        PendingHold *pending) {
	auto statements = sql::IsQuackQuery(sql) ? std::vector<std::string>{sql::QuackSql(int64_t(request.render))}
	                                         : sql::SplitStatements(sql);
	if (statements.empty()) {
		throw InvalidInputError("no SQL statement given");
	}
	std::vector<std::string> warnings;
	std::vector<sql::DeltaRead> all_reads;
	for (size_t i = 0; i < statements.size(); i++) {
		registration.Check();
		std::optional<UserStatement> prepared;
		std::optional<LineageRecorder::Change> change;
		std::optional<QueryResult> executed;
		for (int attempt = 0; !executed; attempt++) {
			try {
				prepared.emplace(connection, options.data_dir, statements[i]);
				change.emplace(lineage.Before(connection, statements[i]));
				executed.emplace(prepared->Execute());
			} catch (const Error &e) {
				if (!IsLostPostgresConnection(e) || attempt == 16) {
					throw;
				}
			}
		}
		auto &user = *prepared;
		auto &result = *executed;
		const auto &reads = user.reads;
		const auto &expanded = user.expanded;
		all_reads.insert(all_reads.end(), reads.begin(), reads.end());
		auto type = user.Type();
		bool last = i + 1 == statements.size();
		bool has_rows = result.Kind() == ResultKind::ROWS &&
		                (type == StatementType::SELECT || type == StatementType::EXPLAIN ||
		                 type == StatementType::PRAGMA || type == StatementType::CALL || type == StatementType::OTHER);
		registration.Check();
		if (last && has_rows) {
			AnswerRows(connection, registration, std::move(result), expanded, all_reads, request, json, pending);
			return;
		}
		// Statements without rows run to completion; their answer is a message.
		auto kind = result.Kind();
		auto slice = ResultSlice::Read(result, 1);
		registration.Check();
		try {
			lineage.After(connection, *change, statements[i], reads);
		} catch (const std::exception &e) {
			// The statement already took effect: report, never fail it.
			warnings.push_back(std::string("lineage not recorded: ") + e.what());
		}
		if (!last) {
			continue;
		}
		std::string message = std::string(StatementTypeName(type)) + " OK";
		if (kind == ResultKind::CHANGED_ROWS && slice.RowCount() == 1) {
			message = std::string(slice.Cell(0, 0)) + " rows changed";
		}
		json.BeginObject();
		json.Key("message");
		json.String(message);
		if (!warnings.empty()) {
			json.Key("warnings");
			json.BeginArray();
			for (const auto &warning : warnings) {
				json.String(warning);
			}
			json.EndArray();
		}
		WriteDeltaVersions(json, all_reads);
		json.EndObject();
	}
}

void DuckWorker::Impl::AnswerRows(Connection &connection, const RunningQueries::Registration &registration,
                                  QueryResult result, const std::string &sql, const std::vector<sql::DeltaRead> &reads,
                                  const AnswerRequest &request, JsonWriter &json, PendingHold *pending) {
	std::unique_ptr<HeldResults::Writer> writer;
	if (request.keep) {
		writer = options.held_results->Begin(result.Columns());
	}
	auto slice = ResultSlice::Read(result, request.render, [&](const DataChunk &chunk) {
		if (writer) {
			writer->Append(chunk);
		}
	});
	auto total = slice.TotalRows();
	// A chart's downsampling queries the connection again, so a held result is stored before it.
	bool store_later = writer && !total && pending && !request.contents.chart;
	if (store_later) {
		pending->rest.emplace(std::move(result));
	} else if (writer) {
		while (auto chunk = result.Fetch()) {
			writer->Append(chunk);
		}
		total = writer->Finish();
	} else {
		// Dropping the streaming result stops the query: the rows past the slice are never computed.
		auto finished = std::move(result);
	}
	registration.Check();
	auto layout = ChartLayout::Choose(slice.Columns());
	std::optional<Downsample> downsample;
	if (request.contents.chart && slice.Truncated()) {
		downsample =
		    DownsampleChart(connection, sql, slice.Columns(), layout, std::max<uint64_t>(1, request.render / 4));
		registration.Check();
		if (downsample) {
			total = downsample->from_rows;
		}
	}
	json.BeginObject();
	if (writer) {
		json.Key("result_id");
		json.String(writer->Id());
	}
	if (store_later) {
		pending->writer = std::move(writer);
	}
	if (request.contents.message) {
		json.Key("message");
		json.String(SizeMessage(total, slice.RowsSeen(), slice.Columns().size()));
	}
	if (request.contents.table) {
		json.Key("table");
		WriteTable(json, slice, total);
	}
	if (request.contents.chart) {
		json.Key("chart");
		WriteChart(json, slice, layout, downsample);
	}
	WriteDeltaVersions(json, reads);
	json.EndObject();
}

void DuckWorker::Impl::RunPipeline(ConnectionPool &pool, const RunningQueries::Registration &registration,
                                   const std::string &text, const AnswerRequest &request, JsonWriter &json) {
	auto steps = sql::ParsePipeline(text);
	for (const auto &step : steps) {
		if (step.node && *step.node != options.worker_id) {
			throw NotFoundError("pipeline step " + step.id + " names an unknown node: " + *step.node +
			                    " (this worker is " + options.worker_id + ")");
		}
	}
	std::vector<std::string> answers(steps.size());
	std::vector<char> ran(steps.size(), 0);
	std::vector<char> step_failed(steps.size(), 0);
	bool failed = false;
	for (const auto &wave : sql::PipelineWaves(steps)) {
		registration.Check(); // a cancel between waves stops the rest
		if (failed) {
			break;
		}
		std::vector<std::future<void>> running_steps;
		for (auto index : wave) {
			running_steps.push_back(std::async(std::launch::async, [&, index] {
				std::string answer;
				JsonWriter step_json(answer);
				try {
					auto lease = pool.Acquire(registration.Deadline());
					RunningQueries::Registration::Attachment attached(registration, *lease);
					try {
						AnswerStatements(*lease, registration, steps[index].sql, request, step_json);
					} catch (...) {
						registration.Rethrow(std::current_exception());
					}
				} catch (const std::exception &e) {
					answer = ErrorReply("duck", "", e);
					step_failed[index] = 1;
				}
				answers[index] = std::move(answer);
			}));
		}
		for (size_t i = 0; i < wave.size(); i++) {
			running_steps[i].get();
			ran[wave[i]] = true;
			failed = failed || step_failed[wave[i]];
		}
	}
	json.BeginObject();
	json.Key("message");
	json.String("Pipeline of " + std::to_string(steps.size()) + " steps" +
	            (failed ? " stopped at a failed step" : " ran"));
	json.Key("pipeline");
	json.BeginArray();
	for (size_t i = 0; i < steps.size(); i++) {
		json.BeginObject();
		json.Key("id");
		json.String(steps[i].id);
		json.Key("node");
		steps[i].node ? json.String(*steps[i].node) : json.Null();
		if (!ran[i]) {
			json.Key("skipped");
			json.Bool(true);
		} else if (step_failed[i]) {
			auto reply = json::parse(answers[i]);
			json.Key("error");
			json.Raw(reply["error"].dump());
		} else {
			json.Key("data");
			json.Raw(answers[i]);
		}
		json.EndObject();
	}
	json.EndArray();
	json.EndObject();
}

std::string DuckWorker::Impl::CheckTable(const std::string &request_id) {
	RunningQueries::Registration registration(running, request_id);
	auto lease = Pool()->Acquire(registration.Deadline());
	auto tables = delta_tables.List(*lease, options.data_dir);
	lineage.MarkVanished(*lease);
	auto records = catalog->List();
	std::string out;
	JsonWriter json(out);
	WriteReplyHead(json, "duck", request_id);
	json.Key("response_contents");
	json.BeginArray();
	json.String("Message");
	json.String("Table");
	json.EndArray();
	json.Key("data");
	json.BeginObject();
	json.Key("message");
	json.String("_directory_list updated");
	// The original's DeltaLake Overview: (TableName, Parent, Query, Loc), Delta tables first.
	json.Key("table");
	json.BeginObject();
	json.Key("headers");
	json.BeginArray();
	for (const char *name : {"TableName", "Parent", "Query", "Loc"}) {
		json.BeginObject();
		json.Key("text");
		json.String(name);
		json.Key("value");
		json.String(name);
		json.EndObject();
	}
	json.EndArray();
	json.Key("items");
	json.BeginArray();
	auto item = [&](const std::string &table, const std::string &parent, const std::string &query,
	                const std::string &location) {
		json.BeginObject();
		json.Key("TableName");
		json.String(table);
		json.Key("Parent");
		json.String(parent);
		json.Key("Query");
		json.String(query);
		json.Key("Loc");
		json.String(location);
		json.EndObject();
	};
	for (const auto &table : tables) {
		item("=(^)" + table.name, "", "", "");
	}
	for (const auto &record : records) {
		for (const auto &parent : record.parents) {
			auto name = parent.version ? parent.name + "@" + std::to_string(*parent.version) : parent.name;
			item(record.table, name, record.query, record.location);
		}
		if (record.parents.empty()) {
			item(record.table, "", record.query, record.location);
		}
	}
	json.EndArray();
	json.EndObject();
	json.Key("tables");
	json.BeginArray();
	for (const auto &table : tables) {
		json.BeginObject();
		json.Key("name");
		json.String(table.name);
		json.Key("version");
		json.Int(table.version);
		json.Key("rows");
		table.rows ? json.UInt(*table.rows) : json.Null();
		json.Key("bytes");
		json.UInt(table.bytes);
		json.Key("files");
		json.UInt(table.files);
		json.Key("last_change");
		table.last_change_ms ? json.String(FormatMs(table.last_change_ms)) : json.Null();
		if (!table.error.empty()) {
			json.Key("error");
			json.String(table.error);
		}
		json.EndObject();
	}
	json.EndArray();
	json.Key("lineage");
	json.BeginArray();
	for (const auto &record : records) {
		json.Raw(catalog::RecordToJson(record).dump());
	}
	json.EndArray();
	json.EndObject();
	json.EndObject();
	return out;
}

std::string DuckWorker::Impl::DuckConnect(const json &args, const std::string &request_id) {
	auto target = Field(args, "conn_string").is_null() ? std::string(":memory:") : RequireString(args, "conn_string");
	if (target.rfind("md:", 0) == 0) {
		throw UnsupportedError("MotherDuck extension not available: DeltaDuck loads only the extensions it ships "
		                       "(delta, postgres_scanner), so md: connection strings cannot be opened");
	}
	if (target != ":memory:") {
		fs::path path(target);
		auto normal = path.lexically_normal();
		if (path.is_absolute() || normal.empty() || *normal.begin() == ".." || *normal.begin() == STATE_DIR) {
			throw PermissionError("database file must be inside the data directory, as a relative path: " + target);
		}
		auto extension = path.extension().string();
		if (extension != ".duckdb" && extension != ".db") {
			throw InvalidInputError("database file must end in .duckdb or .db: " + target);
		}
		target = (options.data_dir / normal).string();
	}
	// The new database is opened (and sandboxed) before the old one is let go: a bad string changes nothing.
	// The file in use already is kept as it is (a second instance on one file would corrupt it).
	if (target == ":memory:" || target != Pool()->Path()) {
		auto opened = OpenPool(target);
		std::lock_guard<std::mutex> lock(pool_mutex);
		pool = std::move(opened);
	}
	return MessageReply("settings", request_id, "Connected!");
}

std::string DuckWorker::Impl::Cancel(const json &args, const std::string &request_id) {
	const auto &id = Field(args, "request_id");
	auto target = id.is_number() ? id.dump() : RequireString(args, "request_id");
	if (target.empty()) {
		throw InvalidInputError("request_args.request_id must name the request to cancel");
	}
	if (!running.Cancel(target)) {
		throw NotFoundError("no running request with id " + target);
	}
	return MessageReply("duck", request_id, "Cancelled request " + target);
}

} // namespace deltaduck::worker
