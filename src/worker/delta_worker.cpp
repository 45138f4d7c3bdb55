#include "worker/delta_worker.hpp"

#include "common/data_layout.hpp"
#include "common/error.hpp"
#include "common/names.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "worker/data_sandbox.hpp"
#include "worker/ingest.hpp"
#include "worker/running_queries.hpp"

#include <algorithm>
#include <mutex>

namespace deltaduck::worker {

using json = nlohmann::json;

struct DeltaWorker::Impl {
	DeltaWorkerOptions options;
	std::shared_ptr<Database> database;
	RunningQueries running;

	explicit Impl(DeltaWorkerOptions options_p) : options(std::move(options_p)), running(options.time_limit) {
	}
	std::string IngestData(const json &args, const std::string &request_id, const std::string &run_id,
	                       const Send &send);
	//! `listfolders`: the CSV folders under raw/ that ingest can load by name.
	std::string ListFolders(const std::string &request_id);
};

DeltaWorker::DeltaWorker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
}
DeltaWorker::~DeltaWorker() = default;

std::unique_ptr<DeltaWorker> DeltaWorker::Open(DeltaWorkerOptions options) {
	auto impl = std::make_unique<Impl>(std::move(options));
	SandboxOptions sandbox;
	sandbox.for_writing = true;
	sandbox.spill = true; // sources are checked SELECTs; large loads may need to spill
	sandbox.postgres = impl->options.postgres;
	impl->database = OpenSandboxedDatabase(impl->options.data_dir, sandbox);
	return std::unique_ptr<DeltaWorker>(new DeltaWorker(std::move(impl)));
}

bool DeltaWorker::Cancel(const std::string &run_id) {
	return impl_->running.Cancel(run_id);
}

std::optional<double> DeltaWorker::Progress(const std::string &run_id) const {
	return impl_->running.Progress(run_id);
}

void DeltaWorker::Handle(const json &request, const Send &send, const std::string &run_id) {
	auto request_id = RequestId(request);
	try {
		if (!request.is_object()) {
			throw InvalidInputError("a request must be a JSON object");
		}
		auto endpoint = RequireString(request, "request_endpoint");
		const auto &args = Field(request, "request_args");
		if (!args.is_object()) {
			throw InvalidInputError("request_args must be an object");
		}
		if (endpoint == "ingestdata") {
			send(impl_->IngestData(args, request_id, run_id.empty() ? request_id : run_id, send));
		} else if (endpoint == "listfolders") {
			send(impl_->ListFolders(request_id));
		} else if (endpoint == "cancel") {
			auto target = RequireString(args, "request_id");
			if (!impl_->running.Cancel(target)) {
				throw NotFoundError("no running request with id " + target);
			}
			send(MessageReply("delta", request_id, "Cancelled request " + target));
		} else {
			throw InvalidInputError("unknown delta endpoint: " + endpoint +
			                        " (expected ingestdata, listfolders or cancel)");
		}
	} catch (const std::exception &e) {
		send(ErrorReply("delta", request_id, e));
	}
}

namespace {

//! Sends progress no more often than every `interval`, and only when it moved.
class ProgressMessages {
public:
	ProgressMessages(const Send &send, std::string request_id, std::chrono::milliseconds interval)
	    : send_(send), request_id_(std::move(request_id)), interval_(interval) {
	}
	void operator()(const QueryProgress &progress, uint64_t input_bytes) {
		auto now = std::chrono::steady_clock::now();
		double fraction = progress.percentage < 0 ? 0 : progress.percentage / 100.0;
		std::lock_guard<std::mutex> lock(mutex_);
		if (fraction <= shown_ || now - last_ < interval_) {
			return;
		}
		shown_ = fraction;
		last_ = now;
		// Files are measured in bytes; a query source only in DuckDB's percentage.
		json message = {{"request_id", request_id_.empty() ? json() : json(request_id_)},
		                {"respond_to", "delta"},
		                {"progress", input_bytes
		                                 ? json{{"done", uint64_t(fraction * double(input_bytes))},
		                                        {"total", input_bytes},
		                                        {"unit", "bytes"},
		                                        {"rows", progress.rows_processed}}
		                                 : json{{"done", int(fraction * 100)}, {"total", 100}, {"unit", "percent"}}}};
		send_(message.dump());
	}

private:
	const Send &send_;
	std::string request_id_;
	std::chrono::milliseconds interval_;
	std::mutex mutex_;
	double shown_ = 0;
	std::chrono::steady_clock::time_point last_{};
};

} // namespace

std::string DeltaWorker::Impl::IngestData(const json &args, const std::string &request_id, const std::string &run_id,
                                          const Send &send) {
	IngestRequest request;
	request.source = RequireString(args, "request_folderpath");
	request.table = RequireString(args, "request_tablename");
	auto method =
	    Field(args, "request_method").is_null() ? std::string("append") : RequireString(args, "request_method");
	if (method != "overwrite" && method != "append" && method != "create" && method != "ignore") {
		throw InvalidInputError("request_args.request_method must be overwrite, append, create or ignore, not " +
		                        method);
	}
	request.options.mode = delta::ParseWriteMode(method);
	const auto &naive = Field(args, "request_naive_timestamps");
	if (!naive.is_null() && naive != "utc" && naive != "ntz") {
		throw InvalidInputError("request_args.request_naive_timestamps must be ntz or utc, not " + naive.dump());
	}
	request.naive_timestamps_utc = naive == "utc";
	// Idempotent ingests: a write whose txn version is not newer than the table's for the app id is skipped. The
	// gateway of a cluster sets them, so an ingest delivered twice (its first worker died) is applied once.
	const auto &app_id = Field(args, "txn_app_id");
	if (!app_id.is_null()) {
		const auto &version = Field(args, "txn_version");
		if (!app_id.is_string() || !version.is_number_integer() || version.get<int64_t>() < 0) {
			throw InvalidInputError("request_args.txn_app_id must be a string with txn_version a whole number >= 0");
		}
		request.options.transaction = delta::SetTransaction{app_id.get<std::string>(), version.get<int64_t>(), {}};
	} else if (Field(args, "redelivered") == true) {
		throw ConflictError("the worker that took this ingest stopped before answering, and it is not run again "
		                    "without a txn_app_id (it may have been committed): check the table's history, then "
		                    "send it again");
	}
	RunningQueries::Registration registration(running, run_id);
	auto connection = Connection::Open(database);
	RunningQueries::Registration::Attachment attached(registration, connection);
	ProgressMessages progress(send, request_id, options.progress_interval);
	IngestResult result;
	try {
		result = Ingest(connection, options.data_dir, request,
		                [&](const QueryProgress &step, uint64_t input_bytes) { progress(step, input_bytes); });
	} catch (...) {
		registration.Rethrow(std::current_exception());
	}
	auto message = result.write.skipped ? "Nothing written to " + request.table + ": " + result.write.skip_reason
	                                    : "DeltaLake stored as " + request.table;
	json reply = {{"respond_to", "delta"},
	              {"request_id", request_id.empty() ? json() : json(request_id)},
	              {"response_contents", {"Message"}},
	              {"data",
	               {{"message", message},
	                {"ingest",
	                 {{"table", request.table},
	                  {"version", result.write.version},
	                  {"files", result.write.files},
	                  {"rows", result.write.rows},
	                  {"bytes", result.write.bytes},
	                  {"input_bytes", result.input_bytes},
	                  {"seconds", result.seconds},
	                  {"skipped", result.write.skipped}}}}}};
	return reply.dump();
}

std::string DeltaWorker::Impl::ListFolders(const std::string &request_id) {
	namespace fs = std::filesystem;
	json folders = json::array();
	std::error_code error;
	auto raw = options.data_dir / RAW_DIR;
	std::vector<fs::path> paths;
	for (fs::directory_iterator it(raw, error), end; !error && it != end; it.increment(error)) {
		paths.push_back(it->path());
	}
	std::sort(paths.begin(), paths.end());
	for (const auto &path : paths) {
		auto name = path.filename().string();
		std::error_code ignored;
		if (!fs::is_directory(path, ignored)) {
			continue;
		}
		try {
			CheckName("folder name", name); // folders ingest could not load by name are not offered
		} catch (const Error &) {
			continue;
		}
		uint64_t files = 0, bytes = 0;
		for (fs::directory_iterator file(path, ignored), end; !ignored && file != end; file.increment(ignored)) {
			if (file->path().extension() == ".csv" && file->is_regular_file(ignored)) {
				files++;
				bytes += file->file_size(ignored);
			}
		}
		folders.push_back({{"name", name}, {"files", files}, {"bytes", bytes}});
	}
	return json{{"respond_to", "delta"},
	            {"request_id", request_id.empty() ? json() : json(request_id)},
	            {"response_contents", json::array()},
	            {"data", {{"folders", folders}}}}
	    .dump();
}

} // namespace deltaduck::worker
