// libFuzzer target for the `=(^)` rewrite (tests/fuzz/run.sh builds it with clang and runs it for a bounded time
// in `make test`). For any text: nothing crashes; references come in order, do not overlap and each starts
// with `=(^)`; the rewrite changes the text inside references only; the other scanners hold up too.

#include "common/error.hpp"
#include "sql/delta_reference.hpp"
#include "sql/sql_scanner.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void Check(bool condition) {
	if (!condition) {
		std::abort();
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	std::string sql(reinterpret_cast<const char *>(data), size);
	std::vector<deltaduck::sql::DeltaReference> references;
	try {
		references = deltaduck::sql::FindDeltaReferences(sql);
	} catch (const deltaduck::Error &) {
		return 0; // a clear error (a bad name) is an answer too
	}
	size_t previous_end = 0;
	std::string outside;
	for (const auto &reference : references) {
		Check(reference.begin >= previous_end && reference.begin < reference.end && reference.end <= sql.size());
		Check(sql.compare(reference.begin, 4, "=(^)") == 0);
		outside += sql.substr(previous_end, reference.begin - previous_end) + '\x01';
		previous_end = reference.end;
	}
	outside += sql.substr(previous_end);
	auto rewritten =
	    deltaduck::sql::RewriteDeltaReferences(sql, [](const deltaduck::sql::DeltaReference &) { return "\x01"; });
	Check(rewritten == outside);
	deltaduck::sql::IsQuackQuery(sql);
	deltaduck::sql::CalledFunctions(sql);
	return 0;
}
