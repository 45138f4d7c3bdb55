#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace deltaduck::delta {

//! What became of an attempt to write a commit file.
enum class CommitAttempt {
	COMMITTED, //!< the version is ours
	CONFLICT   //!< another writer created that version first
};

//! Writes `<log_dir>/<version>.json` with `content` atomically and only if it does not exist yet: the
//! content goes to a temporary file (synced), which is then hard-linked to the commit name — a link
//! never replaces an existing file, so two writers can never both win, and readers never see a partial
//! commit. Throws IOError for other failures.
CommitAttempt TryCommit(const std::filesystem::path &log_dir, int64_t version, const std::string &content);

//! Writes `path` atomically (temporary file, sync, rename): for files that may be replaced, such as
//! `_last_checkpoint`.
void WriteFileAtomically(const std::filesystem::path &path, const std::string &content);

} // namespace deltaduck::delta
