#include "delta/commit.hpp"

#include "common/error.hpp"
#include "common/fault_injection.hpp"
#include "delta/log_path.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>

namespace deltaduck::delta {

namespace fs = std::filesystem;

namespace {

std::string UniqueSuffix() {
	static std::atomic<uint64_t> counter{0};
	std::random_device random;
	return std::to_string(::getpid()) + "-" + std::to_string(random()) + "-" + std::to_string(counter++);
}

//! Writes and syncs a new file; throws IOError naming it.
void WriteSynced(const fs::path &path, const std::string &content) {
	int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		throw IOError("cannot create " + path.string() + ": " + std::strerror(errno));
	}
	size_t written = 0;
	while (written < content.size()) {
		auto n = ::write(fd, content.data() + written, content.size() - written);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			int error = errno;
			::close(fd);
			::unlink(path.c_str());
			throw IOError("cannot write " + path.string() + ": " + std::strerror(error));
		}
		written += static_cast<size_t>(n);
	}
	if (::fsync(fd) != 0 || ::close(fd) != 0) {
		::unlink(path.c_str());
		throw IOError("cannot sync " + path.string() + ": " + std::strerror(errno));
	}
}

void SyncDirectory(const fs::path &dir) {
	int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		::fsync(fd);
		::close(fd);
	}
}

} // namespace

CommitAttempt TryCommit(const fs::path &log_dir, int64_t version, const std::string &content) {
	std::error_code error;
	fs::create_directories(log_dir, error);
	if (error) {
		throw IOError("cannot create " + log_dir.string() + ": " + error.message());
	}
	// The temporary name is not a log file name, so readers ignore it if we die before cleaning up.
	auto temporary = log_dir / ("_commit_" + std::to_string(version) + "_" + UniqueSuffix() + ".json.tmp");
	WriteSynced(temporary, content);
	FaultPoint("after_temp_commit");
	auto target = log_dir / CommitFileName(version);
	int result = ::link(temporary.c_str(), target.c_str());
	int link_error = errno;
	if (result == 0) {
		FaultPoint("after_link");
	}
	::unlink(temporary.c_str());
	if (result == 0) {
		SyncDirectory(log_dir);
		return CommitAttempt::COMMITTED;
	}
	if (link_error == EEXIST) {
		return CommitAttempt::CONFLICT;
	}
	throw IOError("cannot create " + target.string() + ": " + std::strerror(link_error));
}

void WriteFileAtomically(const fs::path &path, const std::string &content) {
	auto temporary = path.parent_path() / ("_" + path.filename().string() + "_" + UniqueSuffix() + ".tmp");
	WriteSynced(temporary, content);
	if (::rename(temporary.c_str(), path.c_str()) != 0) {
		int error = errno;
		::unlink(temporary.c_str());
		throw IOError("cannot replace " + path.string() + ": " + std::strerror(error));
	}
	SyncDirectory(path.parent_path());
}

} // namespace deltaduck::delta
