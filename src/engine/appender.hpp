#pragma once

#include "engine/connection.hpp"
#include "engine/query_result.hpp"

#include <string>

typedef struct _duckdb_appender *duckdb_appender;

namespace deltaduck {

//! Appends whole result chunks to a table, without converting values: chunks read from one database's
//! result can be stored in a table of another (the chunk's types must be the table's).
class Appender {
public:
	//! Appends to `table` (unquoted name) in the connection's current schema.
	Appender(Connection &connection, const std::string &table);
	~Appender();
	Appender(const Appender &) = delete;
	Appender &operator=(const Appender &) = delete;

	void Append(const DataChunk &chunk);
	//! Writes what is buffered; the appender cannot be used afterwards.
	void Close();

private:
	[[noreturn]] void ThrowError(const char *what);
	duckdb_appender appender_ = nullptr;
};

} // namespace deltaduck
