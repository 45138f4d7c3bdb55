#include "common/error.hpp"

#include "common/json_writer.hpp"

namespace deltaduck {

std::string_view ErrorTypeName(ErrorType type) {
	switch (type) {
	case ErrorType::INVALID_INPUT:
		return "InvalidInput";
	case ErrorType::NOT_FOUND:
		return "NotFound";
	case ErrorType::ALREADY_EXISTS:
		return "AlreadyExists";
	case ErrorType::CONFLICT:
		return "Conflict";
	case ErrorType::UNSUPPORTED:
		return "Unsupported";
	case ErrorType::CORRUPT:
		return "Corrupt";
	case ErrorType::IO:
		return "IO";
	case ErrorType::PERMISSION:
		return "Permission";
	case ErrorType::INTERRUPTED:
		return "Interrupted";
	case ErrorType::TIMEOUT:
		return "Timeout";
	case ErrorType::BUSY:
		return "Busy";
	case ErrorType::OUT_OF_MEMORY:
		return "OutOfMemory";
	case ErrorType::INTERNAL:
		return "Internal";
	}
	return "Internal";
}

std::string Error::ToJson() const {
	std::string out;
	JsonWriter json(out);
	json.BeginObject();
	json.Key("type");
	json.String(ErrorTypeName(type_));
	json.Key("message");
	json.String(what());
	json.EndObject();
	return out;
}

void ThrowError(ErrorType type, const std::string &message) {
	switch (type) {
	case ErrorType::INVALID_INPUT:
		throw InvalidInputError(message);
	case ErrorType::NOT_FOUND:
		throw NotFoundError(message);
	case ErrorType::ALREADY_EXISTS:
		throw AlreadyExistsError(message);
	case ErrorType::CONFLICT:
		throw ConflictError(message);
	case ErrorType::UNSUPPORTED:
		throw UnsupportedError(message);
	case ErrorType::CORRUPT:
		throw CorruptError(message);
	case ErrorType::IO:
		throw IOError(message);
	case ErrorType::PERMISSION:
		throw PermissionError(message);
	case ErrorType::INTERRUPTED:
		throw InterruptedError(message);
	case ErrorType::TIMEOUT:
		throw TimeoutError(message);
	case ErrorType::BUSY:
		throw BusyError(message);
	case ErrorType::OUT_OF_MEMORY:
		throw OutOfMemoryError(message);
	case ErrorType::INTERNAL:
		throw InternalError(message);
	}
	throw InternalError(message);
}

} // namespace deltaduck
