#include "sql/delta_reference.hpp"

#include "common/error.hpp"
#include "common/names.hpp"

#include <cctype>
#include <charconv>
#include <set>

namespace deltaduck::sql {

namespace {

constexpr std::string_view MARKER = "=(^)";

bool IsIdentifierChar(char c) {
	return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

//! Skips a quoted token starting at `i` (the quote), honouring doubled quotes; returns the index after it.
size_t SkipQuoted(std::string_view sql, size_t i, char quote) {
	for (i++; i < sql.size(); i++) {
		if (sql[i] == quote) {
			if (i + 1 < sql.size() && sql[i + 1] == quote) {
				i++;
				continue;
			}
			return i + 1;
		}
	}
	return sql.size();
}

//! Skips an E'...' string, where backslash escapes a character.
size_t SkipEscapedString(std::string_view sql, size_t i) {
	for (i++; i < sql.size(); i++) {
		if (sql[i] == '\\') {
			i++;
		} else if (sql[i] == '\'') {
			if (i + 1 < sql.size() && sql[i + 1] == '\'') {
				i++;
				continue;
			}
			return i + 1;
		}
	}
	return sql.size();
}

//! If a comment, string, quoted identifier or dollar-quoted string starts at `i`, the index after it;
//! otherwise `i`.
size_t SkipNonCode(std::string_view sql, size_t i) {
	char c = sql[i];
	if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
		auto end = sql.find('\n', i);
		return end == std::string_view::npos ? sql.size() : end + 1;
	}
	if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
		auto end = sql.find("*/", i + 2);
		return end == std::string_view::npos ? sql.size() : end + 2;
	}
	if (c == '\'' || c == '"') {
		return SkipQuoted(sql, i, c);
	}
	if ((c == 'e' || c == 'E') && i + 1 < sql.size() && sql[i + 1] == '\'' &&
	    (i == 0 || !IsIdentifierChar(sql[i - 1]))) {
		return SkipEscapedString(sql, i + 1);
	}
	if (c == '$' && (i == 0 || !IsIdentifierChar(sql[i - 1]))) {
		// $tag$ ... $tag$ (the tag may be empty).
		size_t k = i + 1;
		while (k < sql.size() && IsIdentifierChar(sql[k])) {
			k++;
		}
		if (k < sql.size() && sql[k] == '$') {
			auto tag = sql.substr(i, k - i + 1);
			auto end = sql.find(tag, k + 1);
			return end == std::string_view::npos ? sql.size() : end + tag.size();
		}
	}
	return i;
}

//! Words after a table that cannot be its alias.
bool IsClauseKeyword(std::string word) {
	static const std::set<std::string> KEYWORDS = {
	    "WHERE",       "JOIN",       "LEFT",    "RIGHT",  "INNER",   "OUTER",     "FULL",   "CROSS",
	    "NATURAL",     "ON",         "USING",   "GROUP",  "ORDER",   "LIMIT",     "OFFSET", "UNION",
	    "EXCEPT",      "INTERSECT",  "HAVING",  "WINDOW", "QUALIFY", "RETURNING", "SELECT", "FROM",
	    "LATERAL",     "POSITIONAL", "ASOF",    "ANTI",   "SEMI",    "VALUES",    "USING",  "SAMPLE",
	    "TABLESAMPLE", "PIVOT",      "UNPIVOT", "WITH",   "INTO",    "SET",       "AND",    "OR",
	    "THEN",        "ELSE",       "END",     "WHEN",   "IN",      "IS",        "NOT",    "BY",
	    "ALL",         "DISTINCT",   "FETCH",   "FOR",    "LIKE",    "ILIKE",     "BETWEEN"};
	for (auto &c : word) {
		c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	}
	return KEYWORDS.count(word) > 0;
}

//! Whether an alias follows position `i` (after blanks and comments).
bool AliasFollows(std::string_view sql, size_t i) {
	while (i < sql.size()) {
		if (std::isspace(static_cast<unsigned char>(sql[i]))) {
			i++;
			continue;
		}
		auto skipped = SkipNonCode(sql, i);
		if (skipped != i && (sql[i] == '-' || sql[i] == '/')) {
			i = skipped;
			continue;
		}
		break;
	}
	if (i >= sql.size()) {
		return false;
	}
	if (sql[i] == '"') {
		return true;
	}
	size_t end = i;
	while (end < sql.size() && IsIdentifierChar(sql[end])) {
		end++;
	}
	if (end == i || std::isdigit(static_cast<unsigned char>(sql[i]))) {
		return false;
	}
	std::string word(sql.substr(i, end - i));
	return !IsClauseKeyword(word); // AS itself is not a clause keyword: it starts an alias
}

} // namespace

std::vector<DeltaReference> FindDeltaReferences(std::string_view sql) {
	std::vector<DeltaReference> references;
	size_t i = 0;
	while (i < sql.size()) {
		auto skipped = SkipNonCode(sql, i);
		if (skipped != i) {
			i = skipped;
			continue;
		}
		if (sql.compare(i, MARKER.size(), MARKER) != 0) {
			i++;
			continue;
		}
		DeltaReference reference;
		reference.begin = i;
		size_t k = i + MARKER.size();
		size_t name_start = k;
		// Names may hold '-', but "--" starts a comment: `=(^)t-- note` reads t.
		while (k < sql.size() && (IsIdentifierChar(sql[k]) || (sql[k] == '-' && sql.compare(k, 2, "--") != 0))) {
			k++;
		}
		reference.name = std::string(sql.substr(name_start, k - name_start));
		if (reference.name.empty()) {
			throw InvalidInputError("=(^) must be followed by a Delta table name");
		}
		CheckName("Delta table name", reference.name);
		if (k < sql.size() && sql[k] == '@') {
			k++;
			if (k < sql.size() && sql[k] == '\'') {
				auto end = SkipQuoted(sql, k, '\'');
				if (end > sql.size() || sql[end - 1] != '\'' || end - k < 2) {
					throw InvalidInputError("unterminated timestamp after =(^)" + reference.name + "@");
				}
				std::string text;
				for (size_t c = k + 1; c + 1 < end; c++) {
					text += sql[c];
					if (sql[c] == '\'') {
						c++; // '' inside the literal
					}
				}
				reference.timestamp = text;
				k = end;
			} else {
				size_t digits = k;
				while (k < sql.size() && std::isdigit(static_cast<unsigned char>(sql[k]))) {
					k++;
				}
				int64_t version = -1;
				auto parsed = std::from_chars(sql.data() + digits, sql.data() + k, version);
				if (digits == k || parsed.ec != std::errc()) {
					throw InvalidInputError("expected a version number or a quoted timestamp after =(^)" +
					                        reference.name + "@");
				}
				reference.version = version;
			}
		}
		reference.end = k;
		reference.has_alias = AliasFollows(sql, k);
		references.push_back(std::move(reference));
		i = k;
	}
	return references;
}

std::string RewriteDeltaReferences(std::string_view sql,
                                   const std::function<std::string(const DeltaReference &)> &expand) {
	std::string out;
	size_t position = 0;
	for (const auto &reference : FindDeltaReferences(sql)) {
		out.append(sql.substr(position, reference.begin - position));
		out += expand(reference);
		position = reference.end;
	}
	out.append(sql.substr(position));
	return out;
}

bool IsQuackQuery(std::string_view sql) {
	std::string compact;
	for (char c : sql) {
		if (!std::isspace(static_cast<unsigned char>(c)) && c != ';') {
			compact += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
		}
	}
	return compact == "=(^)quack";
}

} // namespace deltaduck::sql
