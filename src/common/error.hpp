#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace deltaduck {

//! The kind of a failure; serialized on the wire as `error.type`.
enum class ErrorType {
	INVALID_INPUT,  // the request or its SQL is malformed
	NOT_FOUND,      // a named table, file or folder does not exist
	ALREADY_EXISTS, // creating something that is already there
	CONFLICT,       // a concurrent change won (e.g. a lost commit race)
	UNSUPPORTED,    // a valid request we do not implement (e.g. a Delta reader feature)
	CORRUPT,        // stored data is broken (a bad log line, a truncated file)
	IO,             // the file system or network failed
	PERMISSION,     // the request is not allowed (sandbox, authentication)
	INTERRUPTED,    // cancelled by the user
	TIMEOUT,        // a deadline passed
	BUSY,           // too much work at once: try again later
	OUT_OF_MEMORY,  // the memory limit was reached
	INTERNAL        // a bug or an unexpected state
};

//! The wire name of an error type, e.g. "InvalidInput".
std::string_view ErrorTypeName(ErrorType type);

//! Base of every failure that ends a request. Messages state the problem first, then the values.
class Error : public std::runtime_error {
public:
	Error(ErrorType type, const std::string &message) : std::runtime_error(message), type_(type) {
	}
	//! What kind of failure this is.
	ErrorType Type() const {
		return type_;
	}
	//! The wire form: {"type": "...", "message": "..."}.
	std::string ToJson() const;

private:
	ErrorType type_;
};

//! Declares a typed subclass so callers can catch one kind of failure.
#define DELTADUCK_ERROR_CLASS(NAME, TYPE)                                                                              \
	class NAME : public Error {                                                                                        \
	public:                                                                                                            \
		explicit NAME(const std::string &message) : Error(ErrorType::TYPE, message) {                                  \
		}                                                                                                              \
	};

DELTADUCK_ERROR_CLASS(InvalidInputError, INVALID_INPUT)
DELTADUCK_ERROR_CLASS(NotFoundError, NOT_FOUND)
DELTADUCK_ERROR_CLASS(AlreadyExistsError, ALREADY_EXISTS)
DELTADUCK_ERROR_CLASS(ConflictError, CONFLICT)
DELTADUCK_ERROR_CLASS(UnsupportedError, UNSUPPORTED)
DELTADUCK_ERROR_CLASS(CorruptError, CORRUPT)
DELTADUCK_ERROR_CLASS(IOError, IO)
DELTADUCK_ERROR_CLASS(PermissionError, PERMISSION)
DELTADUCK_ERROR_CLASS(InterruptedError, INTERRUPTED)
DELTADUCK_ERROR_CLASS(TimeoutError, TIMEOUT)
DELTADUCK_ERROR_CLASS(BusyError, BUSY)
DELTADUCK_ERROR_CLASS(OutOfMemoryError, OUT_OF_MEMORY)
DELTADUCK_ERROR_CLASS(InternalError, INTERNAL)

#undef DELTADUCK_ERROR_CLASS

//! Throws the typed subclass matching `type`, so `catch (NotFoundError &)` works for mapped errors too.
[[noreturn]] void ThrowError(ErrorType type, const std::string &message);

} // namespace deltaduck
