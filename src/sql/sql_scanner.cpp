#include "sql/sql_scanner.hpp"

#include <cctype>

namespace deltaduck::sql {

namespace {

bool IsIdentifierChar(char c) {
	auto byte = static_cast<unsigned char>(c);
	return std::isalnum(byte) || c == '_' || byte >= 0x80;
}

bool IsBlank(char c) {
	return std::isspace(static_cast<unsigned char>(c));
}

//! A quoted token whose opening quote is at `open`; a doubled quote stands for itself and, in E'' strings, so
//! does any character after a backslash.
Token ScanQuoted(std::string_view text, size_t begin, size_t open, bool backslash_escapes, std::string_view what) {
	char quote = text[open];
	for (size_t k = open + 1; k < text.size(); k++) {
		if (backslash_escapes && text[k] == '\\') {
			k++;
		} else if (text[k] == quote) {
			if (k + 1 < text.size() && text[k + 1] == quote) {
				k++;
				continue;
			}
			return {TokenKind::QUOTED, begin, k + 1, {}};
		}
	}
	return {TokenKind::QUOTED, begin, text.size(), what};
}

Token ScanBlockComment(std::string_view text, size_t begin) {
	size_t depth = 0;
	size_t k = begin;
	while (k < text.size()) {
		if (text.compare(k, 2, "/*") == 0) {
			depth++;
			k += 2;
		} else if (text.compare(k, 2, "*/") == 0) {
			k += 2;
			if (--depth == 0) {
				return {TokenKind::BLOCK_COMMENT, begin, k, {}};
			}
		} else {
			k++;
		}
	}
	return {TokenKind::BLOCK_COMMENT, begin, text.size(), "block comment"};
}

} // namespace

Token NextToken(std::string_view text, size_t i) {
	char c = text[i];
	char next = i + 1 < text.size() ? text[i + 1] : '\0';
	bool after_word = i > 0 && IsIdentifierChar(text[i - 1]);
	if (c == ';') {
		return {TokenKind::SEMICOLON, i, i + 1, {}};
	}
	if (IsBlank(c)) {
		return {TokenKind::BLANK, i, i + 1, {}};
	}
	if (c == '-' && next == '-') {
		auto end = text.find('\n', i);
		return {TokenKind::LINE_COMMENT, i, end == std::string_view::npos ? text.size() : end, {}};
	}
	if (c == '/' && next == '*') {
		return ScanBlockComment(text, i);
	}
	if (c == '\'') {
		return ScanQuoted(text, i, i, false, "string literal");
	}
	if (c == '"') {
		return ScanQuoted(text, i, i, false, "quoted identifier");
	}
	if ((c == 'e' || c == 'E') && next == '\'' && !after_word) {
		return ScanQuoted(text, i, i + 1, true, "escaped string literal");
	}
	// $tag$ ... $tag$ with an empty or identifier tag; `$1` is a parameter, not a quote.
	if (c == '$' && !after_word && !std::isdigit(static_cast<unsigned char>(next))) {
		size_t k = i + 1;
		while (k < text.size() && IsIdentifierChar(text[k])) {
			k++;
		}
		if (k < text.size() && text[k] == '$') {
			auto tag = text.substr(i, k - i + 1);
			auto end = text.find(tag, k + 1);
			if (end == std::string_view::npos) {
				return {TokenKind::QUOTED, i, text.size(), "dollar-quoted string"};
			}
			return {TokenKind::QUOTED, i, end + tag.size(), {}};
		}
	}
	return {TokenKind::CODE, i, i + 1, {}};
}

std::vector<std::string> CalledFunctions(std::string_view sql) {
	std::vector<std::string> names;
	std::string word; // the last identifier, until code other than blanks and comments follows it
	for (size_t i = 0; i < sql.size();) {
		auto token = NextToken(sql, i);
		i = token.end;
		switch (token.kind) {
		case TokenKind::BLANK:
		case TokenKind::LINE_COMMENT:
		case TokenKind::BLOCK_COMMENT:
			continue;
		case TokenKind::QUOTED:
			word.clear();
			if (sql[token.begin] == '"' && token.end - token.begin >= 2) {
				for (size_t k = token.begin + 1; k + 1 < token.end; k++) {
					word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql[k]))));
				}
			}
			continue;
		case TokenKind::CODE: {
			char c = sql[token.begin];
			if (IsIdentifierChar(c)) {
				// Adjacent identifier characters form one word (the scanner yields them one by one).
				bool continues = token.begin > 0 && IsIdentifierChar(sql[token.begin - 1]);
				if (!continues) {
					word.clear();
				}
				word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
				continue;
			}
			if (c == '(' && !word.empty()) {
				names.push_back(word);
			}
			word.clear();
			continue;
		}
		default:
			word.clear();
		}
	}
	return names;
}

} // namespace deltaduck::sql
