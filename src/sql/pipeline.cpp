#include "sql/pipeline.hpp"

#include "common/error.hpp"
#include "sql/sql_scanner.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <unordered_map>
#include <utility>

namespace deltaduck::sql {

namespace {

constexpr std::string_view ID_HEADER = "id";
constexpr std::string_view DEPENDS_ON_HEADER = "depends_on";
constexpr std::string_view NODE_HEADER = "node";

bool IsBlank(char c) {
	return std::isspace(static_cast<unsigned char>(c));
}

std::string_view Trim(std::string_view text) {
	while (!text.empty() && IsBlank(text.front())) {
		text.remove_prefix(1);
	}
	while (!text.empty() && IsBlank(text.back())) {
		text.remove_suffix(1);
	}
	return text;
}

size_t LineOf(std::string_view text, size_t offset) {
	return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

//! A `--` comment that is the first thing on its line, so it may be a header.
struct LineComment {
	size_t line_begin;
	size_t begin;
	size_t end;
};

//! The text between two `;` (or the ends of the text).
struct Piece {
	size_t begin = 0;
	size_t end = 0;
	//! Where the first token that is neither blank nor a comment starts, or npos if there is none.
	size_t first_code = std::string_view::npos;
	std::vector<LineComment> line_comments;
};

//! Cuts the text at every `;` that is code. With `strict`, an unterminated string or comment is an error;
//! otherwise it runs to the end of the text.
std::vector<Piece> SplitPieces(std::string_view text, bool strict) {
	std::vector<Piece> pieces(1);
	size_t line_begin = 0;
	bool line_blank = true;
	for (size_t i = 0; i < text.size();) {
		auto token = NextToken(text, i);
		if (strict && !token.unterminated.empty()) {
			throw InvalidInputError("unterminated " + std::string(token.unterminated) + " starting at line " +
			                        std::to_string(LineOf(text, token.begin)));
		}
		auto &piece = pieces.back();
		switch (token.kind) {
		case TokenKind::BLANK:
			if (text[i] == '\n') {
				line_begin = token.end;
				line_blank = true;
			}
			break;
		case TokenKind::SEMICOLON:
			piece.end = token.begin;
			pieces.emplace_back().begin = token.end;
			line_blank = false;
			break;
		case TokenKind::LINE_COMMENT:
			if (line_blank) {
				piece.line_comments.push_back({line_begin, token.begin, token.end});
			}
			line_blank = false;
			break;
		case TokenKind::BLOCK_COMMENT:
			line_blank = false;
			break;
		case TokenKind::CODE:
		case TokenKind::QUOTED:
			if (piece.first_code == std::string_view::npos) {
				piece.first_code = token.begin;
			}
			line_blank = false;
			break;
		}
		i = token.end;
	}
	pieces.back().end = text.size();
	return pieces;
}

struct Header {
	std::string key;
	std::string value;
};

//! Reads `-- <key>: <value>` with a known key (in any case); anything else is an ordinary comment.
std::optional<Header> ParseHeader(std::string_view comment) {
	size_t k = 2; // after "--"
	auto skip_blanks = [&]() {
		while (k < comment.size() && (comment[k] == ' ' || comment[k] == '\t')) {
			k++;
		}
	};
	skip_blanks();
	Header header;
	while (k < comment.size() && (std::isalpha(static_cast<unsigned char>(comment[k])) || comment[k] == '_')) {
		header.key += static_cast<char>(std::tolower(static_cast<unsigned char>(comment[k])));
		k++;
	}
	skip_blanks();
	if (k >= comment.size() || comment[k] != ':') {
		return std::nullopt;
	}
	if (header.key != ID_HEADER && header.key != DEPENDS_ON_HEADER && header.key != NODE_HEADER) {
		return std::nullopt;
	}
	header.value = std::string(Trim(comment.substr(k + 1)));
	return header;
}

//! Builds one step from a piece that has headers or SQL.
PipelineStep ParseStep(std::string_view text, const Piece &piece) {
	std::optional<std::string> id;
	std::optional<std::string> depends_on;
	std::optional<std::string> node;
	size_t first_header_line = 0;
	std::string sql;
	size_t copied = piece.begin;
	for (const auto &comment : piece.line_comments) {
		auto header = ParseHeader(text.substr(comment.begin, comment.end - comment.begin));
		if (!header) {
			continue;
		}
		size_t line = LineOf(text, comment.begin);
		if (piece.first_code != std::string_view::npos && comment.begin > piece.first_code) {
			throw InvalidInputError("pipeline header inside a statement (is a ';' missing before it?) at line " +
			                        std::to_string(line) + ": " +
			                        std::string(text.substr(comment.begin, comment.end - comment.begin)));
		}
		auto &slot = header->key == ID_HEADER ? id : header->key == NODE_HEADER ? node : depends_on;
		if (slot) {
			throw InvalidInputError("repeated pipeline header at line " + std::to_string(line) + ": " + header->key);
		}
		slot = std::move(header->value);
		if (first_header_line == 0) {
			first_header_line = line;
		}
		// Drop the whole header line, its newline included.
		sql.append(text.substr(copied, comment.line_begin - copied));
		copied = comment.end < text.size() ? comment.end + 1 : comment.end;
	}
	sql.append(text.substr(copied, piece.end - copied));
	size_t line = first_header_line != 0 ? first_header_line : LineOf(text, piece.first_code);
	if (!id) {
		throw InvalidInputError("pipeline statement at line " + std::to_string(line) + " has no '-- id:' header");
	}
	if (id->empty()) {
		throw InvalidInputError("pipeline step at line " + std::to_string(line) + " has an empty id");
	}
	if (id->find(',') != std::string::npos) {
		throw InvalidInputError("pipeline step id must not contain ',': " + *id);
	}
	PipelineStep step;
	step.id = std::move(*id);
	step.sql = std::string(Trim(sql));
	if (piece.first_code == std::string_view::npos) {
		throw InvalidInputError("pipeline step " + step.id + " has no SQL");
	}
	if (node) {
		if (node->empty()) {
			throw InvalidInputError("pipeline step " + step.id + " has an empty node");
		}
		step.node = std::move(node);
	}
	if (depends_on && !depends_on->empty()) {
		std::string_view rest = *depends_on;
		while (true) {
			auto comma = rest.find(',');
			auto name = Trim(rest.substr(0, comma));
			if (name.empty()) {
				throw InvalidInputError("pipeline step " + step.id +
				                        " has an empty entry in depends_on: " + *depends_on);
			}
			if (std::find(step.depends_on.begin(), step.depends_on.end(), name) == step.depends_on.end()) {
				step.depends_on.emplace_back(name);
			}
			if (comma == std::string_view::npos) {
				break;
			}
			rest.remove_prefix(comma + 1);
		}
	}
	return step;
}

//! The dependencies of each step as indexes, and an order in which every step comes after its dependencies.
struct StepGraph {
	std::vector<std::vector<size_t>> dependencies;
	std::vector<size_t> order;
};

//! Resolves ids; throws for duplicate ids, unknown dependencies and cycles.
StepGraph BuildStepGraph(const std::vector<PipelineStep> &steps) {
	StepGraph graph;
	std::unordered_map<std::string_view, size_t> index_of;
	for (size_t i = 0; i < steps.size(); i++) {
		if (!index_of.emplace(steps[i].id, i).second) {
			throw InvalidInputError("duplicate pipeline step id: " + steps[i].id);
		}
	}
	graph.dependencies.resize(steps.size());
	for (size_t i = 0; i < steps.size(); i++) {
		for (const auto &name : steps[i].depends_on) {
			auto found = index_of.find(name);
			if (found == index_of.end()) {
				throw InvalidInputError("pipeline step " + steps[i].id + " depends on unknown step " + name);
			}
			graph.dependencies[i].push_back(found->second);
		}
	}
	// Depth-first search without recursion, so a long chain cannot overflow the stack; the post-order is the
	// topological order, and meeting a step still on the stack closes a cycle.
	enum class Mark : uint8_t { NEW, ACTIVE, DONE };
	std::vector<Mark> marks(steps.size(), Mark::NEW);
	std::vector<std::pair<size_t, size_t>> stack; // (step, next dependency to visit)
	for (size_t start = 0; start < steps.size(); start++) {
		if (marks[start] != Mark::NEW) {
			continue;
		}
		marks[start] = Mark::ACTIVE;
		stack.emplace_back(start, 0);
		while (!stack.empty()) {
			size_t step = stack.back().first;
			if (stack.back().second == graph.dependencies[step].size()) {
				marks[step] = Mark::DONE;
				graph.order.push_back(step);
				stack.pop_back();
				continue;
			}
			size_t dependency = graph.dependencies[step][stack.back().second++];
			if (marks[dependency] == Mark::NEW) {
				marks[dependency] = Mark::ACTIVE;
				stack.emplace_back(dependency, 0);
			} else if (marks[dependency] == Mark::ACTIVE) {
				std::vector<size_t> cycle;
				auto on_stack = std::find_if(stack.begin(), stack.end(),
				                             [&](const auto &entry) { return entry.first == dependency; });
				for (auto it = on_stack; it != stack.end(); it++) {
					cycle.push_back(it->first);
				}
				// Start at the step written first, so the message does not depend on where the search began.
				std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
				std::string message = "pipeline has a cycle: ";
				for (auto member : cycle) {
					message += steps[member].id + " -> ";
				}
				throw InvalidInputError(message + steps[cycle.front()].id);
			}
		}
	}
	return graph;
}

} // namespace

std::vector<std::string> SplitStatements(std::string_view sql) {
	std::vector<std::string> statements;
	for (const auto &piece : SplitPieces(sql, true)) {
		if (piece.first_code != std::string_view::npos) {
			statements.emplace_back(Trim(sql.substr(piece.begin, piece.end - piece.begin)));
		}
	}
	return statements;
}

bool IsPipeline(std::string_view text) {
	for (const auto &piece : SplitPieces(text, false)) {
		for (const auto &comment : piece.line_comments) {
			auto header = ParseHeader(text.substr(comment.begin, comment.end - comment.begin));
			if (header && header->key == ID_HEADER) {
				return true;
			}
		}
	}
	return false;
}

std::vector<PipelineStep> ParsePipeline(std::string_view text) {
	std::vector<PipelineStep> steps;
	for (const auto &piece : SplitPieces(text, true)) {
		bool has_header = std::any_of(piece.line_comments.begin(), piece.line_comments.end(), [&](const auto &c) {
			return ParseHeader(text.substr(c.begin, c.end - c.begin)).has_value();
		});
		if (has_header || piece.first_code != std::string_view::npos) {
			steps.push_back(ParseStep(text, piece));
		}
	}
	BuildStepGraph(steps);
	return steps;
}

std::vector<std::vector<size_t>> PipelineWaves(const std::vector<PipelineStep> &steps) {
	auto graph = BuildStepGraph(steps);
	std::vector<size_t> wave_of(steps.size(), 0);
	size_t wave_count = 0;
	for (auto step : graph.order) {
		for (auto dependency : graph.dependencies[step]) {
			wave_of[step] = std::max(wave_of[step], wave_of[dependency] + 1);
		}
		wave_count = std::max(wave_count, wave_of[step] + 1);
	}
	std::vector<std::vector<size_t>> waves(wave_count);
	for (size_t i = 0; i < steps.size(); i++) {
		waves[wave_of[i]].push_back(i);
	}
	return waves;
}

} // namespace deltaduck::sql
