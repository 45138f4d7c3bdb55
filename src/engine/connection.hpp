#pragma once

#include "engine/database.hpp"
#include "engine/query_result.hpp"
#include "engine/row_set_function.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck {

//! How far the running query is (DuckDB's estimate).
struct QueryProgress {
	//! 0-100, or -1 when DuckDB cannot tell.
	double percentage = -1;
	uint64_t rows_processed = 0;
	uint64_t total_rows_to_process = 0;
};

//! What kind of statement a prepared statement is (DuckDB's statement types, those we tell apart).
enum class StatementType {
	SELECT,
	INSERT,
	UPDATE,
	DELETE,
	CREATE,
	DROP,
	ALTER,
	COPY,
	EXPLAIN,
	SET,
	PRAGMA,
	CALL,
	TRANSACTION,
	LOAD, //!< LOAD and INSTALL of extensions
	ATTACH,
	DETACH,
	EXPORT,
	OTHER
};

//! The statement type's name, e.g. "CREATE".
const char *StatementTypeName(StatementType type);

//! Owns a prepared statement; parameters are bound by 1-based index.
class PreparedStatement {
public:
	PreparedStatement(PreparedStatement &&other) noexcept : statement_(other.statement_) {
		other.statement_ = nullptr;
	}
	PreparedStatement &operator=(PreparedStatement &&other) noexcept;
	PreparedStatement(const PreparedStatement &) = delete;
	PreparedStatement &operator=(const PreparedStatement &) = delete;
	~PreparedStatement();

	void Bind(uint64_t index, std::string_view value);
	void Bind(uint64_t index, const char *value) {
		Bind(index, std::string_view(value));
	}
	void Bind(uint64_t index, int64_t value);
	void Bind(uint64_t index, double value);
	void Bind(uint64_t index, bool value);
	void BindNull(uint64_t index);
	//! Runs the statement; the result streams chunk by chunk.
	QueryResult Execute();
	//! The kind of statement.
	StatementType Type() const;

private:
	friend class Connection;
	explicit PreparedStatement(duckdb_prepared_statement statement) : statement_(statement) {
	}
	duckdb_prepared_statement statement_;
};

//! Owns a connection. One query at a time; Interrupt and Progress may be called from other threads.
class Connection {
public:
	static Connection Open(std::shared_ptr<Database> database);
	Connection(Connection &&other) noexcept;
	Connection &operator=(Connection &&other) noexcept;
	Connection(const Connection &) = delete;
	Connection &operator=(const Connection &) = delete;
	~Connection();

	//! Runs one or more `;`-separated statements; all but the last run to completion, the last
	//! streams. Errors are thrown as typed `Error`s.
	QueryResult Query(std::string_view sql);
	//! Runs statements and discards any result.
	void Execute(std::string_view sql);
	//! Runs statements and returns the last one's rows, each value as text (NULL as an empty string), for
	//! small internal queries.
	std::vector<std::vector<std::string>> QueryText(std::string_view sql);
	//! Prepares exactly one statement.
	PreparedStatement Prepare(std::string_view sql);
	//! Prepares the last of the statements DuckDB makes of `sql`, after running the ones before it to
	//! completion; `check` sees every statement before it runs (or, the last one, is returned).
	PreparedStatement PrepareLast(std::string_view sql, const std::function<void(const PreparedStatement &)> &check);
	//! Cancels the running query: its next fetch throws InterruptedError.
	void Interrupt();
	//! Progress of the running query.
	QueryProgress Progress() const;

	//! Registers the scalar function `name(key VARCHAR, row BIGINT) -> BOOLEAN`: whether `row` is in the set
	//! `lookup(key)`. A filter of rows by number evaluated over DuckDB's vectors, where an anti-join against a
	//! table of positions costs more than the scan. The key must be a constant (it is looked up once, when the
	//! query is bound; an unknown one is an error then). Visible to every connection of the database;
	//! registering a name it already has does nothing.
	void RegisterRowSetFunction(const std::string &name, RowSetLookup lookup);

	//! The database this connection belongs to.
	const Database &GetDatabase() const {
		return *database_;
	}

private:
	friend class Appender;
	Connection(std::shared_ptr<Database> database, duckdb_connection connection)
	    : database_(std::move(database)), connection_(connection) {
	}
	std::shared_ptr<Database> database_;
	duckdb_connection connection_;
};

} // namespace deltaduck
