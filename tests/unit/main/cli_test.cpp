#include "tests/unit/main/cli_test.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace deltaduck {

namespace {

std::string ReadFile(const std::filesystem::path &path) {
	std::ifstream in(path, std::ios::binary);
	return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

//! Single-quotes an argument for /bin/sh.
std::string ShellQuote(const std::string &arg) {
	std::string out = "'";
	for (char c : arg) {
		out += c == '\'' ? std::string("'\\''") : std::string(1, c);
	}
	return out + "'";
}

} // namespace

void CliTest::SetUp() {
	dir = std::filesystem::temp_directory_path() / ("deltaduck-cli-" + std::to_string(::getpid()) + "-" +
	                                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
	std::filesystem::create_directories(dir);
}

void CliTest::TearDown() {
	std::filesystem::remove_all(dir);
}

void CliTest::WriteFile(const std::filesystem::path &path, const std::string &text) {
	std::filesystem::create_directories(path.parent_path());
	std::ofstream(path, std::ios::binary) << text;
}

CommandResult CliTest::Run(const std::vector<std::string> &args, const std::string &stdin_text) {
	const char *binary = std::getenv("DELTADUCK_BINARY");
	std::string command = ShellQuote(binary ? binary : "build/deltaduck");
	for (const auto &arg : args) {
		command += " " + ShellQuote(arg);
	}
	auto in = dir / "stdin", out = dir / "stdout", err = dir / "stderr";
	WriteFile(in, stdin_text);
	command += " <" + ShellQuote(in) + " >" + ShellQuote(out) + " 2>" + ShellQuote(err);
	int status = std::system(command.c_str());
	return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
}

} // namespace deltaduck
