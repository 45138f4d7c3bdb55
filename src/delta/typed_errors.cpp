#include "delta/typed_errors.hpp"

#include "common/error.hpp"

#include <nlohmann/json.hpp>

namespace deltaduck::delta {

void RethrowTyped(const std::filesystem::path &table_root) {
	auto where = " (Delta table " + table_root.string() + ")";
	try {
		throw;
	} catch (const Error &) {
		throw;
	} catch (const std::filesystem::filesystem_error &e) {
		throw IOError(std::string(e.what()) + where);
	} catch (const nlohmann::json::exception &e) {
		throw CorruptError(std::string("malformed JSON: ") + e.what() + where);
	} catch (const std::invalid_argument &e) {
		throw CorruptError(std::string("not a number: ") + e.what() + where);
	} catch (const std::out_of_range &e) {
		throw CorruptError(std::string("number out of range: ") + e.what() + where);
	} catch (const std::bad_alloc &) {
		throw OutOfMemoryError("out of memory" + where);
	} catch (const std::exception &e) {
		throw InternalError(e.what() + where);
	}
}

} // namespace deltaduck::delta
