#pragma once

#include <cstddef>
#include <string_view>

namespace deltaduck {

//! How deeply requests may nest arrays and objects. nlohmann's parser, dump and copy recurse once per level:
//! a small message of 300,000 `[` would overflow the stack and take the server down.
constexpr size_t MAX_JSON_DEPTH = 64;

//! Whether `text` nests arrays and objects at most `max_depth` deep (brackets inside strings do not count).
//! Cheap: one pass, no allocation; call it before parsing untrusted JSON.
bool JsonDepthWithin(std::string_view text, size_t max_depth = MAX_JSON_DEPTH);

} // namespace deltaduck
