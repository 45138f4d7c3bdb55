// Streaming: ingesting a CSV folder several times larger than the memory limit given to DuckDB succeeds,
// and the writer's peak RSS stays far below the input size.

#include "common/sql_quote.hpp"
#include "engine/connection.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace deltaduck {

namespace fs = std::filesystem;

TEST(IngestMemory, AFolderLargerThanTheMemoryLimitStreamsThrough) {
	auto data = fs::temp_directory_path() / ("deltaduck-memory-" + std::to_string(::getpid()));
	fs::remove_all(data);
	fs::create_directories(data / "raw" / "big");
	{
		auto connection = Connection::Open(Database::Open(DatabaseConfig::Defaults()));
		for (int file = 0; file < 8; file++) {
			connection.Execute(
			    "COPY (SELECT i AS id, md5(CAST(i AS VARCHAR)) || md5(CAST(i + 1 AS VARCHAR)) AS payload, "
			    "i % 1000 AS bucket FROM range(" +
			    std::to_string(file * 2000000) + ", " + std::to_string((file + 1) * 2000000) + ") t(i)) TO " +
			    QuoteLiteral((data / "raw" / "big" / ("part-" + std::to_string(file) + ".csv")).string()) +
			    " (FORMAT csv, HEADER true)");
		}
	}
	uint64_t input = 0;
	for (const auto &entry : fs::directory_iterator(data / "raw" / "big")) {
		input += fs::file_size(entry.path());
	}
	const char *binary = std::getenv("DELTADUCK_BINARY");
	std::vector<std::string> args = {
	    binary ? binary : "build/deltaduck", "ingest", "--data", data.string(), "--source", "big", "--table", "big"};
	std::vector<char *> argv;
	for (auto &arg : args) {
		argv.push_back(arg.data());
	}
	argv.push_back(nullptr);
	std::vector<std::string> environment_text = {"DELTADUCK_MEMORY_LIMIT=256MB"};
	for (char **entry = environ; *entry; entry++) {
		if (std::string(*entry).rfind("DELTADUCK_MEMORY_LIMIT=", 0) != 0) {
			environment_text.push_back(*entry);
		}
	}
	std::vector<char *> environment;
	for (auto &entry : environment_text) {
		environment.push_back(entry.data());
	}
	environment.push_back(nullptr);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	pid_t pid = -1;
	ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environment.data()), 0);
	posix_spawn_file_actions_destroy(&actions);
	int status = 0;
	struct rusage usage {};
	wait4(pid, &status, 0, &usage);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "ingest under a 256 MB limit failed";
	double peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
	std::printf("# ingest of %.0f MB of CSV under a 256 MB DuckDB memory limit: peak RSS %.0f MB\n",
	            static_cast<double>(input) / 1e6, peak_mb);
	EXPECT_GT(static_cast<double>(input) / 1e6, 4 * 256.0) << "the input must be several times the limit";
	EXPECT_LT(peak_mb, static_cast<double>(input) / 1e6) << "the whole input was held in memory";
	fs::remove_all(data);
}

} // namespace deltaduck
