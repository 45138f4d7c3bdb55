#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deltaduck::sql {

//! One statement of a pipeline with its headers.
struct PipelineStep {
	//! The step's name from `-- id: <id>`; unique within the pipeline.
	std::string id;
	//! Ids from `-- depends_on: a, b` that must finish before this step starts, in the order written.
	std::vector<std::string> depends_on;
	//! The worker from `-- node: <worker>`, if the step names one.
	std::optional<std::string> node;
	//! The statement without its header lines and `;`, trimmed; other comments stay.
	std::string sql;
};

//! Splits SQL text at `;` outside strings, quoted identifiers and comments; drops empty (whitespace/comment-only)
//! pieces; each piece trimmed, without its `;`. An unterminated string or comment is an InvalidInputError.
std::vector<std::string> SplitStatements(std::string_view sql);

//! Whether `text` is a pipeline: a line outside strings and block comments starts (after blanks) with `-- id:`,
//! in any case.
bool IsPipeline(std::string_view text);

//! Parses the steps in input order. Header lines (`-- id:`, `-- depends_on:`, `-- node:`) go before the SQL of
//! their statement. Every error (missing, empty or duplicate id, unknown dependency, cycle, step without SQL,
//! repeated header, header inside a statement) is an InvalidInputError thrown before anything runs.
std::vector<PipelineStep> ParsePipeline(std::string_view text);

//! Groups step indexes into waves: every step's dependencies are in earlier waves; steps keep input order within a
//! wave. Independent steps share a wave (they may run in parallel). Unknown ids and cycles are InvalidInputErrors.
std::vector<std::vector<size_t>> PipelineWaves(const std::vector<PipelineStep> &steps);

} // namespace deltaduck::sql
