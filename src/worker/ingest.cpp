#include "worker/ingest.hpp"

#include "common/data_layout.hpp"
#include "common/error.hpp"
#include "common/names.hpp"
#include "common/sql_quote.hpp"
#include "delta/snapshot.hpp"
#include "engine/connection.hpp"
#include "sql/delta_reference.hpp"
#include "sql/delta_tables.hpp"
#include "sql/pipeline.hpp"
#include "worker/data_sandbox.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace deltaduck::worker {

namespace fs = std::filesystem;

namespace {

bool IsQuery(const std::string &text) {
	// As the original dashboard did: text that mentions SELECT (or starts with WITH) is SQL.
	static const std::regex QUERY(R"((^|[^A-Za-z0-9_])(select|with)($|[^A-Za-z0-9_]))", std::regex::icase);
	return std::regex_search(text, QUERY) || text.find("=(^)") != std::string::npos;
}

//! `path` resolved through symlinks must stay inside `root`.
fs::path InsideDataDirectory(const fs::path &root, const fs::path &path, const std::string &what) {
	std::error_code error;
	auto real_root = fs::canonical(root, error);
	auto real = fs::canonical(path, error);
	if (error) {
		throw NotFoundError(what + " not found: " + path.lexically_relative(root).string());
	}
	auto relative = real.lexically_relative(real_root);
	if (relative.empty() || *relative.begin() == "..") {
		throw PermissionError(what + " leads outside the data directory: " + path.lexically_relative(root).string());
	}
	return real;
}

std::string CsvOptions(const IngestRequest &request) {
	std::string options;
	if (request.header) {
		options += std::string(", header = ") + (*request.header ? "true" : "false");
	}
	if (request.delimiter) {
		options += ", delim = " + QuoteLiteral(*request.delimiter);
	}
	return options;
}

} // namespace

namespace {

//! The options DuckDB's sniffer finds in the first file (delimiter, quoting, header, column names and types, date
//! formats), as read_csv arguments with auto_detect off. The sniffer would otherwise run again for every query
//! that reads the files (an ingest asks several: columns, timestamps, rows), opening each file every time.
//! Every file is sniffed once too, to hold the folder to one table: a file whose columns are named otherwise is
//! an error naming it (read with the first file's options, it would load under the wrong names).
std::string SniffedCsvOptions(Connection &connection, const std::vector<std::string> &files,
                              const IngestRequest &request) {
	std::string first_columns, prompt_text;
	for (const auto &file : files) {
		auto sniffed = connection.QueryText("SELECT Prompt, list_transform(Columns, c -> c.name)::VARCHAR FROM "
		                                    "sniff_csv(" +
		                                    QuoteLiteral(file) + CsvOptions(request) + ")");
		if (sniffed.empty() || sniffed[0].size() < 2) {
			continue;
		}
		if (prompt_text.empty()) {
			prompt_text = sniffed[0][0];
			first_columns = sniffed[0][1];
		} else if (sniffed[0][1] != first_columns) {
			throw InvalidInputError("CSV file " + fs::path(file).filename().string() + " has the columns " +
			                        sniffed[0][1] + ", but " + fs::path(files.front()).filename().string() + " has " +
			                        first_columns + ": the files of a folder load as one table");
		}
	}
	const std::string marker = ", auto_detect=false";
	const auto &text = prompt_text;
	auto begin = text.find(marker);
	auto end = text.rfind(')');
	if (begin == std::string::npos || end == std::string::npos || end < begin) {
		return CsvOptions(request); // an answer we do not understand: let read_csv sniff as before
	}
	return text.substr(begin, end - begin);
}

//! DuckDB's sniffer falls back to a single column when rows disagree on their field count; a header that
//! still holds a common delimiter means the file is malformed, so it is read again with that delimiter,
//! which fails naming the bad line instead of loading one text column.
std::string CsvSql(Connection &connection, const std::vector<std::string> &paths, const IngestRequest &request) {
	auto files = QuoteList(paths);
	auto sql = "SELECT * FROM read_csv(" + files + SniffedCsvOptions(connection, paths, request) + ")";
	if (request.delimiter) {
		return sql;
	}
	auto result = connection.Query(sql + " LIMIT 0");
	if (result.Columns().size() == 1) {
		const auto &header = result.Columns()[0].name;
		for (const char *delimiter : {",", ";", "\t"}) {
			if (header.find(delimiter) != std::string::npos) {
				IngestRequest strict = request;
				strict.delimiter = delimiter;
				sql = "SELECT * FROM read_csv(" + files + CsvOptions(strict) + ")";
				connection.Execute("SELECT count(*) FROM (" + sql + ")");
				break;
			}
		}
	}
	while (result.Fetch()) {
	}
	return sql;
}

} // namespace

std::string ResolveSource(Connection &connection, const fs::path &data_dir, const IngestRequest &request,
                          uint64_t &input_bytes) {
	input_bytes = 0;
	const auto &source = request.source;
	if (source.find_first_not_of(" \t\r\n") == std::string::npos) {
		throw InvalidInputError("no source given: name a CSV folder under raw/, a file, or a SELECT query");
	}
	// A folder or file that exists wins over the reading as SQL, so `with-header.csv` stays a file.
	bool plain_name = source.find_first_of("/. \t\r\n'\"(") == std::string::npos;
	bool path_like = !plain_name && source.find_first_of(" \t\r\n'\"(") == std::string::npos;
	if (plain_name && fs::is_directory(data_dir / RAW_DIR / source)) {
		CheckName("folder name", source);
		auto real = InsideDataDirectory(data_dir, data_dir / RAW_DIR / source, "CSV folder");
		std::vector<std::string> files;
		for (const auto &entry : fs::directory_iterator(real)) {
			auto extension = entry.path().extension().string();
			std::transform(extension.begin(), extension.end(), extension.begin(), ::tolower);
			if (entry.is_regular_file() && extension == ".csv") {
				files.push_back(InsideDataDirectory(data_dir, entry.path(), "CSV file").string());
				input_bytes += fs::file_size(files.back());
			}
		}
		if (files.empty()) {
			throw InvalidInputError("CSV folder " + std::string(RAW_DIR) + "/" + source + " holds no .csv files");
		}
		std::sort(files.begin(), files.end());
		return CsvSql(connection, files, request);
	}
	if (path_like) {
		fs::path relative(source);
		if (relative.is_absolute()) {
			throw PermissionError("absolute paths are not allowed as a source: name a file inside the data directory");
		}
		for (const auto &part : relative) {
			if (part == "..") {
				throw PermissionError("'..' is not allowed in a source path: " + source);
			}
		}
		auto file = InsideDataDirectory(data_dir, data_dir / relative, "source file");
		if (!fs::is_regular_file(file)) {
			throw InvalidInputError("source is not a file: " + source);
		}
		input_bytes = fs::file_size(file);
		auto extension = file.extension().string();
		std::transform(extension.begin(), extension.end(), extension.begin(), ::tolower);
		if (extension == ".csv" || extension == ".tsv" || extension == ".txt") {
			return CsvSql(connection, {file.string()}, request);
		}
		if (extension == ".parquet") {
			return "SELECT * FROM read_parquet(" + QuoteLiteral(file.string()) + ")";
		}
		if (extension == ".json" || extension == ".jsonl" || extension == ".ndjson") {
			return "SELECT * FROM read_json(" + QuoteLiteral(file.string()) + ")";
		}
		throw InvalidInputError("unsupported source file type " + extension + " (expected .csv, .parquet or .json)");
	}
	if (IsQuery(source)) {
		// One query, with or without a trailing `;` and comments around it (DuckDB's own splitter decides).
		auto statements = sql::SplitStatements(source);
		if (statements.size() != 1) {
			throw InvalidInputError("a query source must be one SELECT statement, got " +
			                        std::to_string(statements.size()));
		}
		CheckUserSql(connection, statements[0]);
		// A trailing line comment would swallow whatever the writer appends: it ends on a line of its own.
		return sql::ExpandDeltaTables(connection, data_dir, statements[0] + "\n");
	}
	if (plain_name) {
		CheckName("folder name", source);
		throw NotFoundError("CSV folder not found: " + std::string(RAW_DIR) + "/" + source);
	}
	throw InvalidInputError("source is neither a CSV folder under raw/, a file, nor a query: " + source.substr(0, 200));
}

//! A DuckDB type name with every naive timestamp in it, also inside STRUCT, LIST and MAP, made TIMESTAMPTZ. A type
//! word is one followed by the end, ',', ')' or '[' (a struct field's name is followed by its type); quoted names
//! and ENUM labels are skipped. Unchanged when it holds no naive timestamp.
std::string NaiveTimestampsMadeUtc(const std::string &type) {
	static const std::set<std::string> naive = {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"};
	std::string result;
	for (size_t i = 0; i < type.size();) {
		if (type[i] == '"' || type[i] == '\'') { // a quoted name, or an ENUM label
			auto quote = type[i];
			auto end = type.find(quote, i + 1);
			while (end != std::string::npos && end + 1 < type.size() && type[end + 1] == quote) {
				end = type.find(quote, end + 2); // doubled, it is a quote inside the name
			}
			end = end == std::string::npos ? type.size() : end + 1;
			result.append(type, i, end - i);
			i = end;
			continue;
		}
		if (!std::isalnum(static_cast<unsigned char>(type[i])) && type[i] != '_') {
			result += type[i++];
			continue;
		}
		auto end = i;
		while (end < type.size() && (std::isalnum(static_cast<unsigned char>(type[end])) || type[end] == '_')) {
			end++;
		}
		auto word = type.substr(i, end - i);
		bool is_type = end == type.size() || type[end] == ',' || type[end] == ')' || type[end] == '[';
		result += is_type && naive.count(word) ? "TIMESTAMPTZ" : word;
		i = end;
	}
	return result;
}

//! The source with its naive timestamp columns (also nested ones) cast to TIMESTAMPTZ: the session is in UTC, so
//! each value keeps its digits and is read as a UTC instant.
std::string NaiveTimestampsAsUtc(Connection &connection, const std::string &sql, size_t &converted) {
	std::string replace;
	for (const auto &row :
	     connection.QueryText("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM (\n" + sql + "\n))")) {
		auto utc = NaiveTimestampsMadeUtc(row[1]);
		if (utc != row[1]) {
			replace += (replace.empty() ? "" : ", ") + ("CAST(" + QuoteIdentifier(row[0]) + " AS " + utc + ") AS ") +
			           QuoteIdentifier(row[0]);
			converted++;
		}
	}
	return replace.empty() ? sql : "SELECT * REPLACE (" + replace + ") FROM (\n" + sql + "\n)";
}

IngestResult Ingest(Connection &connection, const fs::path &data_dir, const IngestRequest &request,
                    const std::function<void(const QueryProgress &, uint64_t)> &on_progress) {
	auto started = std::chrono::steady_clock::now();
	CheckName("table name", request.table);
	IngestResult result;
	auto sql = ResolveSource(connection, data_dir, request, result.input_bytes);
	if (request.naive_timestamps_utc) {
		sql = NaiveTimestampsAsUtc(connection, sql, result.utc_columns);
	}
	std::mutex mutex;
	std::condition_variable done_signal;
	bool done = false;
	std::thread reporter;
	if (on_progress) {
		reporter = std::thread([&] {
			std::unique_lock<std::mutex> lock(mutex);
			while (!done_signal.wait_for(lock, std::chrono::milliseconds(200), [&] { return done; })) {
				on_progress(connection.Progress(), result.input_bytes);
			}
		});
	}
	auto stop_reporter = [&] {
		{
			std::lock_guard<std::mutex> lock(mutex);
			done = true;
		}
		done_signal.notify_all();
		if (reporter.joinable()) {
			reporter.join();
		}
	};
	try {
		result.write = delta::WriteTable(connection, data_dir / DELTA_DIR / request.table, sql, request.options);
	} catch (...) {
		stop_reporter();
		throw;
	}
	stop_reporter();
	try {
		if (!result.write.skipped) {
			auto protocol = delta::Snapshot::Load(connection, data_dir / DELTA_DIR / request.table)->GetProtocol();
			result.min_reader_version = protocol.min_reader_version;
			result.min_writer_version = protocol.min_writer_version;
		}
	} catch (const std::exception &) {
		// The write is committed: not knowing the protocol for the summary must not report it as failed.
	}
	result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	return result;
}

} // namespace deltaduck::worker
