#include "delta/predicate.hpp"

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/schema.hpp"

#include <cctype>

namespace deltaduck::delta {

namespace {

struct Token {
	enum class Kind { IDENTIFIER, NUMBER, STRING, OPERATOR, KEYWORD, LPAREN, RPAREN, COMMA, END };
	Kind kind;
	std::string text;
};

bool IsKeyword(const std::string &upper) {
	for (const char *keyword :
	     {"AND", "OR", "NOT", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE", "DATE", "TIMESTAMP"}) {
		if (upper == keyword) {
			return true;
		}
	}
	return false;
}

std::string Upper(std::string text) {
	for (auto &c : text) {
		c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	}
	return text;
}

//! Whether a number starts at `i`: 5, .5, -5, -.5.
bool StartsNumber(std::string_view text, size_t i) {
	auto digit_at = [&](size_t k) { return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k])); };
	if (text[i] == '-') {
		i++;
	}
	return digit_at(i) || (i < text.size() && text[i] == '.' && digit_at(i + 1));
}

std::vector<Token> Tokenize(std::string_view text) {
	std::vector<Token> tokens;
	size_t i = 0;
	auto fail = [&](const std::string &why) {
		throw InvalidInputError("invalid filter at position " + std::to_string(i + 1) + ": " + why);
	};
	while (i < text.size()) {
		char c = text[i];
		if (std::isspace(static_cast<unsigned char>(c))) {
			i++;
		} else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
			size_t start = i;
			while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
				i++;
			}
			std::string word(text.substr(start, i - start));
			auto upper = Upper(word);
			tokens.push_back(IsKeyword(upper) ? Token{Token::Kind::KEYWORD, upper}
			                                  : Token{Token::Kind::IDENTIFIER, word});
		} else if (c == '"' || c == '\'') {
			std::string value;
			i++;
			while (true) {
				if (i >= text.size()) {
					fail(std::string("unterminated ") + (c == '"' ? "quoted name" : "string"));
				}
				if (text[i] == c) {
					if (i + 1 < text.size() && text[i + 1] == c) {
						value += c;
						i += 2;
						continue;
					}
					i++;
					break;
				}
				value += text[i++];
			}
			tokens.push_back({c == '"' ? Token::Kind::IDENTIFIER : Token::Kind::STRING, value});
		} else if (StartsNumber(text, i)) {
			size_t start = i++;
			while (i < text.size() &&
			       (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
			        ((text[i] == '-' || text[i] == '+') && (text[i - 1] == 'e' || text[i - 1] == 'E')))) {
				i++;
			}
			tokens.push_back({Token::Kind::NUMBER, std::string(text.substr(start, i - start))});
		} else if (c == '(' || c == ')' || c == ',') {
			tokens.push_back({c == '('   ? Token::Kind::LPAREN
			                  : c == ')' ? Token::Kind::RPAREN
			                             : Token::Kind::COMMA,
			                  std::string(1, c)});
			i++;
		} else if (c == '=' || c == '<' || c == '>' || c == '!') {
			std::string op(1, c);
			if (i + 1 < text.size() && (text[i + 1] == '=' || (c == '<' && text[i + 1] == '>'))) {
				op += text[i + 1];
			}
			if (op == "!") {
				fail("expected != ");
			}
			tokens.push_back({Token::Kind::OPERATOR, op});
			i += op.size();
		} else {
			fail(std::string("unexpected character '") + c + "'");
		}
	}
	tokens.push_back({Token::Kind::END, ""});
	return tokens;
}

class Parser {
public:
	explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {
	}

	Predicate Parse() {
		Predicate predicate;
		while (true) {
			predicate.conjuncts.push_back(ParseComparison());
			if (Peek().kind == Token::Kind::END) {
				return predicate;
			}
			if (IsKeyword("OR")) {
				Fail("OR is not supported: filters are comparisons joined by AND");
			}
			if (!IsKeyword("AND")) {
				Fail("expected AND or the end of the filter, got '" + Peek().text + "'");
			}
			Next();
		}
	}

private:
	const Token &Peek() const {
		return tokens_[position_];
	}
	const Token &Next() {
		return tokens_[position_++];
	}
	bool IsKeyword(const char *keyword) const {
		return Peek().kind == Token::Kind::KEYWORD && Peek().text == keyword;
	}
	[[noreturn]] void Fail(const std::string &why) const {
		throw InvalidInputError("invalid filter: " + why +
		                        ". Supported: column =, !=, <, <=, >, >= literal; BETWEEN a AND b; IN (a, b); "
		                        "IS [NOT] NULL; joined by AND");
	}
	void Expect(Token::Kind kind, const char *what) {
		if (Peek().kind != kind) {
			Fail(std::string("expected ") + what + ", got '" + Peek().text + "'");
		}
		Next();
	}

	std::string ParseLiteral() {
		const auto &token = Next();
		if (token.kind == Token::Kind::NUMBER || token.kind == Token::Kind::STRING) {
			return token.text;
		}
		if (token.kind == Token::Kind::KEYWORD && (token.text == "TRUE" || token.text == "FALSE")) {
			return token.text;
		}
		if (token.kind == Token::Kind::KEYWORD && (token.text == "DATE" || token.text == "TIMESTAMP") &&
		    Peek().kind == Token::Kind::STRING) {
			return Next().text;
		}
		if (token.kind == Token::Kind::KEYWORD && token.text == "NULL") {
			Fail("compare with NULL using IS NULL or IS NOT NULL");
		}
		Fail("expected a literal, got '" + token.text + "'");
	}

	Comparison ParseComparison() {
		Comparison comparison;
		if (Peek().kind != Token::Kind::IDENTIFIER) {
			Fail("expected a column name, got '" + Peek().text + "'");
		}
		comparison.column = Next().text;
		if (Peek().kind == Token::Kind::OPERATOR) {
			auto op = Next().text;
			comparison.op = op == "=" || op == "=="    ? Comparison::Op::EQ
			                : op == "!=" || op == "<>" ? Comparison::Op::NE
			                : op == "<"                ? Comparison::Op::LT
			                : op == "<="               ? Comparison::Op::LE
			                : op == ">"                ? Comparison::Op::GT
			                                           : Comparison::Op::GE;
			comparison.values.push_back(ParseLiteral());
		} else if (IsKeyword("BETWEEN")) {
			Next();
			comparison.op = Comparison::Op::BETWEEN;
			comparison.values.push_back(ParseLiteral());
			if (!IsKeyword("AND")) {
				Fail("expected AND in BETWEEN");
			}
			Next();
			comparison.values.push_back(ParseLiteral());
		} else if (IsKeyword("IN")) {
			Next();
			comparison.op = Comparison::Op::IN;
			Expect(Token::Kind::LPAREN, "(");
			comparison.values.push_back(ParseLiteral());
			while (Peek().kind == Token::Kind::COMMA) {
				Next();
				comparison.values.push_back(ParseLiteral());
			}
			Expect(Token::Kind::RPAREN, ")");
		} else if (IsKeyword("IS")) {
			Next();
			comparison.op = Comparison::Op::IS_NULL;
			if (IsKeyword("NOT")) {
				Next();
				comparison.op = Comparison::Op::IS_NOT_NULL;
			}
			if (!IsKeyword("NULL")) {
				Fail("expected NULL after IS");
			}
			Next();
		} else {
			Fail("expected an operator after '" + comparison.column + "'");
		}
		return comparison;
	}

	std::vector<Token> tokens_;
	size_t position_ = 0;
};

} // namespace

std::string Comparison::Literal(size_t index, const std::string &duckdb_type) const {
	return "CAST(" + QuoteLiteral(values[index]) + " AS " + duckdb_type + ")";
}

const char *Comparison::SqlOperator(Op op) {
	switch (op) {
	case Op::EQ:
		return "=";
	case Op::NE:
		return "<>";
	case Op::LT:
		return "<";
	case Op::LE:
		return "<=";
	case Op::GT:
		return ">";
	case Op::GE:
		return ">=";
	default:
		return "";
	}
}

Predicate Predicate::Parse(std::string_view text) {
	return Parser(Tokenize(text)).Parse();
}

std::string Predicate::ToSql(const Schema &schema, const std::string &column_prefix) const {
	std::string sql;
	for (const auto &comparison : conjuncts) {
		const auto *field = schema.Find(comparison.column);
		if (!field) {
			throw InvalidInputError("unknown column in filter: " + comparison.column);
		}
		auto column = column_prefix + QuoteIdentifier(field->name);
		auto type = field->type->ToDuckDB();
		auto literal = [&](size_t i) { return comparison.Literal(i, type); };
		std::string term;
		switch (comparison.op) {
		case Comparison::Op::EQ:
		case Comparison::Op::NE:
		case Comparison::Op::LT:
		case Comparison::Op::LE:
		case Comparison::Op::GT:
		case Comparison::Op::GE:
			term = column + " " + Comparison::SqlOperator(comparison.op) + " " + literal(0);
			break;
		case Comparison::Op::BETWEEN:
			term = column + " BETWEEN " + literal(0) + " AND " + literal(1);
			break;
		case Comparison::Op::IN:
			term = column + " IN (";
			for (size_t i = 0; i < comparison.values.size(); i++) {
				term += (i ? ", " : "") + literal(i);
			}
			term += ")";
			break;
		case Comparison::Op::IS_NULL:
			term = column + " IS NULL";
			break;
		case Comparison::Op::IS_NOT_NULL:
			term = column + " IS NOT NULL";
			break;
		}
		sql += (sql.empty() ? "" : " AND ") + term;
	}
	return sql;
}

} // namespace deltaduck::delta
