#include "engine/appender.hpp"

#include "common/error.hpp"
#include "engine/duckdb_error.hpp"

namespace deltaduck {

Appender::Appender(Connection &connection, const std::string &table) {
	if (duckdb_appender_create(connection.connection_, nullptr, table.c_str(), &appender_) != DuckDBSuccess) {
		ThrowError("cannot append to table");
	}
}

Appender::~Appender() {
	if (appender_) {
		duckdb_appender_destroy(&appender_);
	}
}

void Appender::ThrowError(const char *what) {
	std::string message = what;
	if (appender_) {
		auto error = duckdb_appender_error_data(appender_);
		message += std::string(": ") + duckdb_error_data_message(error);
		auto type = duckdb_error_data_error_type(error);
		duckdb_destroy_error_data(&error);
		ThrowDuckDBError(type, message);
	}
	throw InternalError(message);
}

void Appender::Append(const DataChunk &chunk) {
	if (duckdb_append_data_chunk(appender_, chunk.Get()) != DuckDBSuccess) {
		ThrowError("cannot append rows");
	}
}

void Appender::Close() {
	if (duckdb_appender_close(appender_) != DuckDBSuccess) {
		ThrowError("cannot finish appending");
	}
}

} // namespace deltaduck
