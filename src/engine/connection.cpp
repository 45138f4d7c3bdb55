#include "engine/connection.hpp"

#include "common/error.hpp"
#include "engine/duckdb_error.hpp"
#include "engine/query_result_impl.hpp"
#include "engine/value_encoder.hpp"

#include <string>
#include <utility>

namespace deltaduck {

namespace {

//! Owns the statements split out of a multi-statement string.
class ExtractedStatements {
public:
	ExtractedStatements(duckdb_connection connection, const std::string &sql) {
		count_ = duckdb_extract_statements(connection, sql.c_str(), &statements_);
		if (count_ == 0) {
			const char *error = duckdb_extract_statements_error(statements_);
			std::string message = error && *error ? error : "no SQL statement given";
			duckdb_destroy_extracted(&statements_);
			ThrowPrepareError(message);
		}
	}
	~ExtractedStatements() {
		duckdb_destroy_extracted(&statements_);
	}
	ExtractedStatements(const ExtractedStatements &) = delete;
	ExtractedStatements &operator=(const ExtractedStatements &) = delete;

	idx_t Count() const {
		return count_;
	}
	duckdb_extracted_statements Get() const {
		return statements_;
	}

private:
	duckdb_extracted_statements statements_ = nullptr;
	idx_t count_ = 0;
};

//! Destroys a statement that failed to prepare and throws its error.
[[noreturn]] void ThrowFailedPrepare(duckdb_prepared_statement statement) {
	const char *message = duckdb_prepare_error(statement);
	std::string text = message ? message : "could not prepare statement";
	duckdb_destroy_prepare(&statement);
	ThrowPrepareError(text);
}

} // namespace

PreparedStatement &PreparedStatement::operator=(PreparedStatement &&other) noexcept {
	std::swap(statement_, other.statement_);
	return *this;
}

PreparedStatement::~PreparedStatement() {
	if (statement_) {
		duckdb_destroy_prepare(&statement_);
	}
}

static void CheckBind(duckdb_state state, uint64_t index) {
	if (state != DuckDBSuccess) {
		throw InvalidInputError("cannot bind query parameter " + std::to_string(index));
	}
}

void PreparedStatement::Bind(uint64_t index, std::string_view value) {
	CheckBind(duckdb_bind_varchar_length(statement_, index, value.data(), value.size()), index);
}

void PreparedStatement::Bind(uint64_t index, int64_t value) {
	CheckBind(duckdb_bind_int64(statement_, index, value), index);
}

void PreparedStatement::Bind(uint64_t index, double value) {
	CheckBind(duckdb_bind_double(statement_, index, value), index);
}

void PreparedStatement::Bind(uint64_t index, bool value) {
	CheckBind(duckdb_bind_boolean(statement_, index, value), index);
}

void PreparedStatement::BindNull(uint64_t index) {
	CheckBind(duckdb_bind_null(statement_, index), index);
}

const char *StatementTypeName(StatementType type) {
	static const char *NAMES[] = {"SELECT",      "INSERT", "UPDATE",  "DELETE", "CREATE", "DROP",
	                              "ALTER",       "COPY",   "EXPLAIN", "SET",    "PRAGMA", "CALL",
	                              "TRANSACTION", "LOAD",   "ATTACH",  "DETACH", "EXPORT", "OTHER"};
	return NAMES[static_cast<int>(type)];
}

StatementType PreparedStatement::Type() const {
	switch (duckdb_prepared_statement_type(statement_)) {
	case DUCKDB_STATEMENT_TYPE_SELECT:
		return StatementType::SELECT;
	case DUCKDB_STATEMENT_TYPE_INSERT:
		return StatementType::INSERT;
	case DUCKDB_STATEMENT_TYPE_UPDATE:
		return StatementType::UPDATE;
	case DUCKDB_STATEMENT_TYPE_DELETE:
		return StatementType::DELETE;
	case DUCKDB_STATEMENT_TYPE_CREATE:
	case DUCKDB_STATEMENT_TYPE_CREATE_FUNC:
		return StatementType::CREATE;
	case DUCKDB_STATEMENT_TYPE_DROP:
		return StatementType::DROP;
	case DUCKDB_STATEMENT_TYPE_ALTER:
		return StatementType::ALTER;
	case DUCKDB_STATEMENT_TYPE_COPY:
		return StatementType::COPY;
	case DUCKDB_STATEMENT_TYPE_EXPLAIN:
		return StatementType::EXPLAIN;
	case DUCKDB_STATEMENT_TYPE_SET:
	case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
		return StatementType::SET;
	case DUCKDB_STATEMENT_TYPE_PRAGMA:
		return StatementType::PRAGMA;
	case DUCKDB_STATEMENT_TYPE_CALL:
		return StatementType::CALL;
	case DUCKDB_STATEMENT_TYPE_TRANSACTION:
		return StatementType::TRANSACTION;
	case DUCKDB_STATEMENT_TYPE_LOAD:
		return StatementType::LOAD;
	case DUCKDB_STATEMENT_TYPE_ATTACH:
		return StatementType::ATTACH;
	case DUCKDB_STATEMENT_TYPE_DETACH:
		return StatementType::DETACH;
	case DUCKDB_STATEMENT_TYPE_EXPORT:
		return StatementType::EXPORT;
	default:
		return StatementType::OTHER;
	}
}

QueryResult PreparedStatement::Execute() {
	auto impl = std::make_unique<QueryResult::Impl>();
	if (duckdb_execute_prepared_streaming(statement_, &impl->result) != DuckDBSuccess) {
		ThrowResultError(impl->result);
	}
	return QueryResult(std::move(impl));
}

Connection Connection::Open(std::shared_ptr<Database> database) {
	duckdb_connection connection = nullptr;
	if (duckdb_connect(database->Get(), &connection) != DuckDBSuccess) {
		throw InternalError("cannot open a connection to the database");
	}
	Connection result(std::move(database), connection);
	// Progress is only tracked when the progress bar is on, and only reliably from the query's start when
	// its delay is 0; we read it, DuckDB must not print it.
	result.Execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0");
	// Instants are shown and converted in UTC on every machine (Delta stores timestamps as UTC instants).
	result.Execute("SET TimeZone = 'UTC'");
	return result;
}

Connection::Connection(Connection &&other) noexcept
    : database_(std::move(other.database_)), connection_(other.connection_) {
	other.connection_ = nullptr;
}

Connection &Connection::operator=(Connection &&other) noexcept {
	std::swap(database_, other.database_);
	std::swap(connection_, other.connection_);
	return *this;
}

Connection::~Connection() {
	if (connection_) {
		duckdb_disconnect(&connection_);
	}
}

QueryResult Connection::Query(std::string_view sql) {
	ExtractedStatements statements(connection_, std::string(sql));
	for (idx_t i = 0; i < statements.Count(); i++) {
		duckdb_prepared_statement prepared = nullptr;
		if (duckdb_prepare_extracted_statement(connection_, statements.Get(), i, &prepared) != DuckDBSuccess) {
			ThrowFailedPrepare(prepared);
		}
		PreparedStatement statement(prepared);
		auto result = statement.Execute();
		if (i + 1 == statements.Count()) {
			return result;
		}
		// Earlier statements run to completion (and surface their errors) before the next one starts.
		while (result.Fetch()) {
		}
	}
	throw InternalError("unreachable: no statement executed");
}

void Connection::Execute(std::string_view sql) {
	auto result = Query(sql);
	while (result.Fetch()) {
	}
}

std::vector<std::vector<std::string>> Connection::QueryText(std::string_view sql) {
	std::vector<std::vector<std::string>> rows;
	auto result = Query(sql);
	RowEncoder encoder(result.Columns());
	while (auto chunk = result.Fetch()) {
		encoder.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount(); row++) {
			auto &values = rows.emplace_back();
			for (auto &column : encoder.Columns()) {
				column->WriteText(values.emplace_back(), row);
			}
		}
	}
	return rows;
}

PreparedStatement Connection::Prepare(std::string_view sql) {
	ExtractedStatements statements(connection_, std::string(sql));
	if (statements.Count() != 1) {
		throw InvalidInputError("expected exactly one SQL statement, got " + std::to_string(statements.Count()));
	}
	duckdb_prepared_statement prepared = nullptr;
	if (duckdb_prepare_extracted_statement(connection_, statements.Get(), 0, &prepared) != DuckDBSuccess) {
		ThrowFailedPrepare(prepared);
	}
	return PreparedStatement(prepared);
}

PreparedStatement Connection::PrepareLast(std::string_view sql,
                                          const std::function<void(const PreparedStatement &)> &check) {
	ExtractedStatements statements(connection_, std::string(sql));
	for (idx_t i = 0;; i++) {
		duckdb_prepared_statement prepared = nullptr;
		if (duckdb_prepare_extracted_statement(connection_, statements.Get(), i, &prepared) != DuckDBSuccess) {
			ThrowFailedPrepare(prepared);
		}
		PreparedStatement statement(prepared);
		check(statement);
		if (i + 1 == statements.Count()) {
			return statement;
		}
		auto result = statement.Execute();
		while (result.Fetch()) {
		}
	}
}

void Connection::Interrupt() {
	duckdb_interrupt(connection_);
}

QueryProgress Connection::Progress() const {
	auto progress = duckdb_query_progress(connection_);
	return {progress.percentage, progress.rows_processed, progress.total_rows_to_process};
}

} // namespace deltaduck
