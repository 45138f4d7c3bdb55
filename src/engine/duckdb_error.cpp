#include "engine/duckdb_error.hpp"

#include "common/error.hpp"

namespace deltaduck {

static ErrorType MapErrorType(duckdb_error_type type, const std::string &message) {
	switch (type) {
	case DUCKDB_ERROR_CATALOG:
		return message.find("already exists") != std::string::npos ? ErrorType::ALREADY_EXISTS : ErrorType::NOT_FOUND;
	case DUCKDB_ERROR_IO:
	case DUCKDB_ERROR_HTTP:
	case DUCKDB_ERROR_NETWORK:
	case DUCKDB_ERROR_CONNECTION:
		return ErrorType::IO;
	case DUCKDB_ERROR_INTERRUPT:
		return ErrorType::INTERRUPTED;
	case DUCKDB_ERROR_OUT_OF_MEMORY:
		return ErrorType::OUT_OF_MEMORY;
	case DUCKDB_ERROR_PERMISSION:
		return ErrorType::PERMISSION;
	case DUCKDB_ERROR_NOT_IMPLEMENTED:
	case DUCKDB_ERROR_MISSING_EXTENSION:
	case DUCKDB_ERROR_AUTOLOAD:
		return ErrorType::UNSUPPORTED;
	case DUCKDB_ERROR_TRANSACTION:
		return ErrorType::CONFLICT;
	case DUCKDB_ERROR_INTERNAL:
	case DUCKDB_ERROR_FATAL:
	case DUCKDB_ERROR_NULL_POINTER:
		return ErrorType::INTERNAL;
	default:
		// A locked setting is a refusal, like the sandbox's other refusals, not malformed SQL.
		if (message.find("the configuration has been locked") != std::string::npos) {
			return ErrorType::PERMISSION;
		}
		// Parser, binder, conversion, constraint, out-of-range...: the SQL or its data is at fault.
		return ErrorType::INVALID_INPUT;
	}
}

void ThrowDuckDBError(duckdb_error_type type, const std::string &message) {
	ThrowError(MapErrorType(type, message), message);
}

void ThrowPrepareError(const std::string &message) {
	struct Prefix {
		const char *text;
		duckdb_error_type type;
	};
	static constexpr Prefix PREFIXES[] = {
	    {"Catalog Error", DUCKDB_ERROR_CATALOG},
	    {"IO Error", DUCKDB_ERROR_IO},
	    {"HTTP Error", DUCKDB_ERROR_HTTP},
	    {"Permission Error", DUCKDB_ERROR_PERMISSION},
	    {"Not implemented Error", DUCKDB_ERROR_NOT_IMPLEMENTED},
	    {"Missing Extension Error", DUCKDB_ERROR_MISSING_EXTENSION},
	    {"Extension Autoloading Error", DUCKDB_ERROR_AUTOLOAD},
	    {"Out of Memory Error", DUCKDB_ERROR_OUT_OF_MEMORY},
	    {"INTERRUPT Error", DUCKDB_ERROR_INTERRUPT},
	    {"INTERNAL Error", DUCKDB_ERROR_INTERNAL},
	    {"FATAL Error", DUCKDB_ERROR_FATAL},
	};
	for (const auto &prefix : PREFIXES) {
		if (message.rfind(prefix.text, 0) == 0) {
			ThrowDuckDBError(prefix.type, message);
		}
	}
	ThrowDuckDBError(DUCKDB_ERROR_INVALID_INPUT, message);
}

void ThrowResultError(duckdb_result &result) {
	const char *message = duckdb_result_error(&result);
	ThrowDuckDBError(duckdb_result_error_type(&result), message ? message : "query failed");
}

} // namespace deltaduck
