#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck::sql {

//! What a scanned piece of SQL text is.
enum class TokenKind { BLANK, CODE, QUOTED, LINE_COMMENT, BLOCK_COMMENT, SEMICOLON };

//! One piece of SQL text: a code or blank character, or a whole string, quoted identifier or comment.
struct Token {
	TokenKind kind;
	size_t begin;
	size_t end;
	//! For a string or comment that runs to the end of the text without closing, what it is; empty otherwise.
	std::string_view unterminated;
};

//! The token starting at `i`: strings ('' and E'' and $tag$), quoted identifiers, `--` and nested `/* */`
//! comments are single tokens, so code outside them can be told apart exactly.
Token NextToken(std::string_view text, size_t i);

//! Names of the functions the SQL calls (a bare or quoted identifier followed by `(`), lowercased, outside
//! strings and comments.
std::vector<std::string> CalledFunctions(std::string_view sql);

} // namespace deltaduck::sql
