#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck::sql {

//! One `=(^)name`, `=(^)name@N` or `=(^)name@'<ISO timestamp>'` in a SQL text.
struct DeltaReference {
	std::string name;
	std::optional<int64_t> version;
	std::optional<std::string> timestamp;
	//! Byte range of the reference in the SQL text.
	size_t begin = 0;
	size_t end = 0;
	//! Whether the SQL gives the reference its own alias (`=(^)t AS x`, `=(^)t x`).
	bool has_alias = false;
};

//! Finds every Delta table reference outside string literals, quoted identifiers and comments (a real
//! tokenizer, not a search). Names are checked like folder names; a bad one is an InvalidInputError.
std::vector<DeltaReference> FindDeltaReferences(std::string_view sql);

//! Replaces each reference with `expand(reference)` and returns the new SQL.
std::string RewriteDeltaReferences(std::string_view sql,
                                   const std::function<std::string(const DeltaReference &)> &expand);

//! Whether the whole query is the `=(^)quack` responsiveness test (ignoring case, blanks and a `;`).
bool IsQuackQuery(std::string_view sql);

} // namespace deltaduck::sql
