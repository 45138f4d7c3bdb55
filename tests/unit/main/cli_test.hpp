#pragma once

// Runs the real `deltaduck` binary (path from DELTADUCK_BINARY, set by CTest) as a user would.

#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace deltaduck {

struct CommandResult {
	int status;
	std::string out;
	std::string err;
};

//! A test with its own temporary folder and a way to run the binary.
class CliTest : public ::testing::Test {
protected:
	std::filesystem::path dir;

	void SetUp() override;
	void TearDown() override;
	//! Runs `deltaduck args...` with `stdin_text` as standard input.
	CommandResult Run(const std::vector<std::string> &args, const std::string &stdin_text = "");
	//! Writes a text file, creating its folders.
	void WriteFile(const std::filesystem::path &path, const std::string &text);
};

} // namespace deltaduck
