#pragma once

#include <filesystem>

namespace deltaduck::delta {

//! Rethrows the exception being handled as one of our typed errors naming the table: a file system failure
//! becomes IOError, a JSON or number that does not parse CorruptError, exhausted memory OutOfMemoryError, and
//! anything else not already ours InternalError. Call only inside a catch block.
[[noreturn]] void RethrowTyped(const std::filesystem::path &table_root);

//! Runs `body` (an entry point of the Delta layer) so that only our typed errors leave it: callers, the wire
//! and the CLI then tell a broken file from a bug by the error's type, and the message names the table.
template <class Body>
auto WithTypedErrors(const std::filesystem::path &table_root, Body &&body) -> decltype(body()) {
	try {
		return body();
	} catch (...) {
		RethrowTyped(table_root);
	}
}

} // namespace deltaduck::delta
