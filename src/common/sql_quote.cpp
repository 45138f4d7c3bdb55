#include "common/sql_quote.hpp"

namespace deltaduck {

static std::string Quote(std::string_view text, char quote) {
	std::string out(1, quote);
	for (char c : text) {
		out += c;
		if (c == quote) {
			out += quote;
		}
	}
	out += quote;
	return out;
}

std::string QuoteLiteral(std::string_view text) {
	return Quote(text, '\'');
}

std::string QuoteList(const std::vector<std::string> &texts) {
	std::string list = "[";
	for (size_t i = 0; i < texts.size(); i++) {
		list += (i ? ", " : "") + QuoteLiteral(texts[i]);
	}
	return list + "]";
}

std::string QuoteIdentifier(std::string_view name) {
	return Quote(name, '"');
}

} // namespace deltaduck
