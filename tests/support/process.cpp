#include "tests/support/process.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

extern char **environ;

namespace deltaduck {

std::string DeltaDuckBinary() {
	const char *binary = std::getenv("DELTADUCK_BINARY");
	return binary && *binary ? binary : "build/deltaduck";
}

pid_t StartDeltaDuck(const std::vector<std::string> &args, const std::string &out, const std::string &err,
                     const std::vector<std::string> &environment) {
	std::vector<std::string> all = {DeltaDuckBinary()};
	all.insert(all.end(), args.begin(), args.end());
	std::vector<char *> argv;
	for (auto &arg : all) {
		argv.push_back(arg.data());
	}
	argv.push_back(nullptr);
	std::vector<std::string> variables = environment;
	for (char **entry = environ; *entry; entry++) {
		std::string variable = *entry;
		auto name = variable.substr(0, variable.find('=') + 1);
		bool replaced = false;
		for (const auto &added : environment) {
			replaced = replaced || added.rfind(name, 0) == 0;
		}
		if (!replaced) {
			variables.push_back(variable);
		}
	}
	std::vector<char *> envp;
	for (auto &variable : variables) {
		envp.push_back(variable.data());
	}
	envp.push_back(nullptr);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.empty() ? "/dev/null" : out.c_str(),
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.empty() ? "/dev/null" : err.c_str(),
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid = -1;
	int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
	posix_spawn_file_actions_destroy(&actions);
	return error == 0 ? pid : -1;
}

} // namespace deltaduck
