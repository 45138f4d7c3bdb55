#include "worker/held_results.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "engine/appender.hpp"
#include "engine/connection.hpp"
#include "engine/database.hpp"
#include "worker/answer.hpp"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <unistd.h>

namespace deltaduck::worker {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

//! Rows per Parquet row group: a window read decodes at most two of them.
constexpr uint64_t ROW_GROUP_ROWS = 100000;

std::string NewId() {
	static std::mutex mutex;
	static std::random_device device;
	std::lock_guard<std::mutex> lock(mutex);
	char text[33];
	std::snprintf(text, sizeof(text), "%08x%08x%08x%08x", device(), device(), device(), device());
	return text;
}

//! Ids are ours: 32 hex digits. Anything else is refused before it can name a path.
void CheckId(const std::string &id) {
	bool hex = id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(c); });
	if (!hex) {
		throw InvalidInputError("not a result id: " + id);
	}
}

struct Meta {
	std::vector<std::pair<std::string, std::string>> columns; // name, type
	uint64_t rows = 0;
	uint64_t bytes = 0;
};

//! `SELECT CAST(c0 AS <type>) AS "<name>", ...`: the stored columns under their names and exact types.
std::string SelectList(const Meta &meta) {
	std::string list;
	for (size_t i = 0; i < meta.columns.size(); i++) {
		list += (i ? ", " : "") + std::string("CAST(c") + std::to_string(i) + " AS " + meta.columns[i].second +
		        ") AS " + QuoteIdentifier(meta.columns[i].first);
	}
	return list.empty() ? "*" : list;
}

} // namespace

struct HeldResults::Impl {
	HeldResultsOptions options;
	std::shared_ptr<Database> database;

	fs::path DataPath(const std::string &id) const {
		return options.dir / (id + ".parquet");
	}
	fs::path MetaPath(const std::string &id) const {
		return options.dir / (id + ".json");
	}
	//! Present while a result is still being stored (any worker of a cluster may be asked for it meanwhile).
	fs::path PendingPath(const std::string &id) const {
		return options.dir / (id + ".pending");
	}

	//! Reads a held result's description and marks it used (its file time orders the LRU).
	Meta Load(const std::string &id) {
		CheckId(id);
		// A window asked for before the result is all stored waits for it (bounded), rather than calling it gone.
		auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
		while (!fs::exists(MetaPath(id)) && fs::exists(PendingPath(id)) &&
		       std::chrono::steady_clock::now() < deadline) {
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
		std::ifstream in(MetaPath(id));
		if (!in || !fs::exists(DataPath(id))) {
			throw NotFoundError("result " + id + " is not held (results expire after " +
			                    std::to_string(options.max_age.count() / 3600) +
			                    " h unused, or earlier when the store is full): run the query again");
		}
		auto parsed = json::parse(in, nullptr, false);
		if (parsed.is_discarded()) {
			throw CorruptError("held result description is not JSON: " + MetaPath(id).string());
		}
		Meta meta;
		for (const auto &column : parsed["columns"]) {
			meta.columns.emplace_back(column["name"].get<std::string>(), column["type"].get<std::string>());
		}
		meta.rows = parsed["rows"].get<uint64_t>();
		meta.bytes = parsed["bytes"].get<uint64_t>();
		std::error_code ignored;
		fs::last_write_time(MetaPath(id), fs::file_time_type::clock::now(), ignored);
		return meta;
	}
};

namespace {

class ParquetWriter final : public HeldResults::Writer {
public:
	ParquetWriter(HeldResults::Impl &store, const std::vector<ResultColumn> &columns)
	    : store_(store), id_(NewId()), connection_(Connection::Open(store.database)) {
		std::string definition;
		for (size_t i = 0; i < columns.size(); i++) {
			auto type = columns[i].type.ToString();
			meta_.columns.emplace_back(columns[i].name, type);
			definition += (i ? ", c" : "c") + std::to_string(i) + " " + type;
		}
		table_ = "held_" + id_;
		std::ofstream(store_.PendingPath(id_)).flush();
		connection_.Execute("CREATE TEMP TABLE " + table_ + " (" + definition + ")");
		appender_ = std::make_unique<Appender>(connection_, table_);
	}
	~ParquetWriter() override {
		appender_.reset();
		try {
			connection_.Execute("DROP TABLE IF EXISTS " + table_);
		} catch (const std::exception &) {
			// The connection closes next, and its temp table with it.
		}
		std::error_code ignored;
		fs::remove(Partial(), ignored);
		fs::remove(store_.PendingPath(id_), ignored);
	}
	const std::string &Id() const override {
		return id_;
	}
	void Append(const DataChunk &chunk) override {
		meta_.rows += chunk.RowCount();
		appender_->Append(chunk);
	}
	uint64_t Finish() override {
		appender_->Close();
		appender_.reset();
		connection_.Execute("COPY " + table_ + " TO " + QuoteLiteral(Partial().string()) +
		                    " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE " + std::to_string(ROW_GROUP_ROWS) +
		                    ")");
		meta_.bytes = fs::file_size(Partial());
		json description = {{"id", id_}, {"rows", meta_.rows}, {"bytes", meta_.bytes}, {"columns", json::array()}};
		for (const auto &[name, type] : meta_.columns) {
			description["columns"].push_back({{"name", name}, {"type", type}});
		}
		auto meta_partial = store_.MetaPath(id_).string() + ".partial";
		std::ofstream(meta_partial) << description.dump();
		// The data file is in place before its description: a described result is always whole.
		fs::rename(Partial(), store_.DataPath(id_));
		fs::rename(meta_partial, store_.MetaPath(id_));
		std::error_code ignored;
		fs::remove(store_.PendingPath(id_), ignored);
		return meta_.rows;
	}

private:
	fs::path Partial() const {
		return store_.options.dir / (id_ + ".parquet.partial");
	}
	HeldResults::Impl &store_;
	std::string id_;
	Connection connection_;
	std::string table_;
	std::unique_ptr<Appender> appender_;
	Meta meta_;
};

} // namespace

HeldResults::HeldResults(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
}
HeldResults::~HeldResults() = default;

std::shared_ptr<HeldResults> HeldResults::Open(HeldResultsOptions options) {
	fs::create_directories(options.dir);
	auto impl = std::make_unique<Impl>();
	impl->options = std::move(options);
	// Our own database, never given user SQL: rows being held wait in a temp table that spills to the store's
	// own folder, so a large result costs disk, not memory.
	auto config = DatabaseConfig::Defaults();
	config.threads = std::min<uint32_t>(config.threads, 2);
	config.memory_limit_bytes = std::min<uint64_t>(config.memory_limit_bytes, uint64_t(1) << 30);
	// One spill folder per process (workers of a cluster share the store); those of processes gone are removed.
	std::error_code ignored;
	for (const auto &entry : fs::directory_iterator(impl->options.dir, ignored)) {
		auto name = entry.path().filename().string();
		if (name.rfind("spill-", 0) == 0 && !fs::exists("/proc/" + name.substr(6), ignored)) {
			fs::remove_all(entry.path(), ignored);
		}
	}
	config.temp_directory = (impl->options.dir / ("spill-" + std::to_string(getpid()))).string();
	config.extensions.clear();
	impl->database = Database::Open(config);
	return std::shared_ptr<HeldResults>(new HeldResults(std::move(impl)));
}

std::unique_ptr<HeldResults::Writer> HeldResults::Begin(const std::vector<ResultColumn> &columns) {
	Expire();
	return std::make_unique<ParquetWriter>(*impl_, columns);
}

void HeldResults::WriteWindow(JsonWriter &json, const std::string &id, uint64_t offset, uint64_t limit) {
	auto meta = impl_->Load(id);
	auto connection = Connection::Open(impl_->database);
	auto result = connection.Query(
	    "SELECT " + SelectList(meta) + " FROM read_parquet(" + QuoteLiteral(impl_->DataPath(id).string()) +
	    ", file_row_number = true) WHERE file_row_number >= " + std::to_string(offset) + " AND file_row_number < " +
	    std::to_string(offset + limit) + " ORDER BY file_row_number");
	auto slice = ResultSlice::Read(result, limit);
	json.BeginObject();
	json.Key("result_id");
	json.String(id);
	json.Key("offset");
	json.UInt(offset);
	json.Key("table");
	WriteTable(json, slice, meta.rows, offset);
	json.EndObject();
}

fs::path HeldResults::Export(const std::string &id, const std::string &format, const fs::path &temp_dir) {
	if (format != "csv" && format != "parquet") {
		throw InvalidInputError("export format must be csv or parquet, not " + format);
	}
	auto meta = impl_->Load(id);
	fs::create_directories(temp_dir);
	auto target = temp_dir / (NewId() + "." + format);
	auto options = format == "csv" ? std::string("FORMAT csv, HEADER true") : std::string("FORMAT parquet");
	auto connection = Connection::Open(impl_->database);
	connection.Execute("COPY (SELECT " + SelectList(meta) + " FROM read_parquet(" +
	                   QuoteLiteral(impl_->DataPath(id).string()) + ")) TO " + QuoteLiteral(target.string()) + " (" +
	                   options + ")");
	return target;
}

uint64_t HeldResults::Bytes() const {
	uint64_t total = 0;
	std::error_code error;
	for (const auto &entry : fs::directory_iterator(impl_->options.dir, error)) {
		if (entry.path().extension() == ".parquet") {
			total += entry.file_size(error);
		}
	}
	return total;
}

void HeldResults::Expire() {
	struct Held {
		fs::file_time_type used;
		std::string id;
		uint64_t bytes;
	};
	std::vector<Held> held;
	std::error_code error;
	uint64_t total = 0;
	for (const auto &entry : fs::directory_iterator(impl_->options.dir, error)) {
		if (entry.path().extension() != ".json") {
			continue;
		}
		auto id = entry.path().stem().string();
		auto bytes = fs::file_size(impl_->DataPath(id), error);
		held.push_back({entry.last_write_time(error), id, error ? 0 : bytes});
		total += held.back().bytes;
	}
	std::sort(held.begin(), held.end(), [](const Held &a, const Held &b) { return a.used < b.used; });
	auto oldest = fs::file_time_type::clock::now() - impl_->options.max_age;
	for (const auto &result : held) {
		if (result.used >= oldest && total <= impl_->options.max_bytes) {
			break;
		}
		// The description goes first: a reader never finds a description without its data.
		fs::remove(impl_->MetaPath(result.id), error);
		fs::remove(impl_->DataPath(result.id), error);
		total -= result.bytes;
	}
}

} // namespace deltaduck::worker
