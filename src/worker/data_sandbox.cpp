#include "worker/data_sandbox.hpp"

#include "common/data_layout.hpp"
#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "sql/sql_scanner.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include <system_error>

namespace deltaduck::worker {

namespace fs = std::filesystem;

void RefuseSymlinksLeading(const fs::path &root) {
	// DuckDB's allow list compares paths as written, so a link anywhere in the data directory could let SQL
	// read what lies outside it: such a link makes the whole directory unusable until it is removed.
	std::error_code error;
	for (auto it = fs::recursive_directory_iterator(root, error); !error && it != fs::recursive_directory_iterator();
	     it.increment(error)) {
		if (it.depth() == 0 && it->path().filename() == STATE_DIR) {
			it.disable_recursion_pending(); // our own state holds no links
			continue;
		}
		if (!it->is_symlink()) {
			continue;
		}
		std::error_code resolve_error;
		auto target = fs::canonical(it->path(), resolve_error);
		auto relative = target.lexically_relative(root);
		if (resolve_error || relative.empty() || *relative.begin() == "..") {
			throw PermissionError("the data directory holds a link leading outside it: " +
			                      it->path().lexically_relative(root).string() + " (remove it or copy the data in)");
		}
	}
}

fs::path RootAtDataDirectory(const std::string &data_dir) {
	std::error_code error;
	fs::create_directories(data_dir, error);
	if (error) {
		throw IOError("cannot create data directory " + data_dir + ": " + error.message());
	}
	auto root = fs::canonical(data_dir, error);
	if (error) {
		throw IOError("cannot open data directory " + data_dir + ": " + error.message());
	}
	fs::current_path(root, error);
	if (error) {
		throw IOError("cannot enter data directory " + root.string() + ": " + error.message());
	}
	RefuseSymlinksLeading(root);
	return root;
}

std::shared_ptr<Database> OpenSandboxedDatabase(const fs::path &root, const SandboxOptions &options) {
	auto config = DatabaseConfig::Defaults();
	config.path = options.database_path;
	config.preserve_insertion_order = !options.for_writing;
	if (!options.spill) {
		config.temp_directory.clear();
	}
	if (options.autocomplete) {
		config.extensions.push_back("autocomplete");
	}
	if (options.postgres) {
		config.extensions.push_back("postgres");
		config.startup_sql.push_back("ATTACH " + QuoteLiteral(options.postgres->dsn) + " AS " + POSTGRES_CATALOG +
		                             " (TYPE postgres, SCHEMA " + QuoteLiteral(options.postgres->schema) + ")");
		config.attached.push_back(POSTGRES_CATALOG);
	}
	if (options.threads) {
		config.threads = options.threads;
	}
	if (options.memory_limit_bytes) {
		config.memory_limit_bytes = options.memory_limit_bytes;
	}
	// DuckDB matches the allow list textually: absolute paths against the root's entries, relative ones
	// against the same entries written relative to the working directory (the root). Every entry of the
	// root but our state folder is listed, plus the layout folders, which may appear later.
	std::error_code error;
	std::vector<std::string> relative = {RAW_DIR, DELTA_DIR};
	for (auto it = fs::directory_iterator(root, error); !error && it != fs::directory_iterator(); it.increment(error)) {
		auto name = it->path().filename().string();
		if (name == STATE_DIR) {
			continue;
		}
		if (it->is_directory(error) && !error) {
			relative.push_back(name);
			continue;
		}
		// A database file attached from SQL writes its write-ahead log beside it.
		for (const auto &file : {name, name + ".wal"}) {
			config.allowed_paths.push_back(file);
			config.allowed_paths.push_back((root / file).string());
		}
	}
	for (const auto &name : relative) {
		config.allowed_directories.push_back(name);
		config.allowed_directories.push_back((root / name).string());
	}
	return Database::Open(config);
}

namespace {

//! Functions user SQL may not call: `query` runs SQL text (so no statement check would see it), and
//! logging, which the locked configuration does not cover, would show one client's SQL to the next or, sent
//! to a file, break every later statement.
//! The postgres extension's own functions (`postgres_scan`, `postgres_query`, `postgres_execute`,
//! `postgres_attach`, ...) reach any server with any credentials and run any SQL there: only the attached
//! `postgres` catalog is for dashboard SQL.
const std::set<std::string> FORBIDDEN_FUNCTIONS = {"query", "enable_logging", "disable_logging",
                                                   "truncate_duckdb_logs"};

void RefuseForbiddenFunctions(const std::string &text) {
	for (const auto &name : sql::CalledFunctions(text)) {
		if (FORBIDDEN_FUNCTIONS.count(name) || name.rfind("postgres_", 0) == 0) {
			throw PermissionError("the function " + name + " is not allowed in dashboard SQL");
		}
	}
}

//! Whether the SQL names the attached PostgreSQL catalog: the word `postgres` (bare or quoted) outside strings
//! and comments.
bool NamesPostgres(const std::string &text) {
	auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
	for (size_t i = 0; i < text.size();) {
		auto token = sql::NextToken(text, i);
		i = token.end;
		std::string word;
		if (token.kind == sql::TokenKind::QUOTED && text[token.begin] == '"' && token.end - token.begin >= 2) {
			word = text.substr(token.begin + 1, token.end - token.begin - 2);
		} else if (token.kind == sql::TokenKind::CODE && is_word(text[token.begin]) &&
		           (token.begin == 0 || !is_word(text[token.begin - 1]))) {
			auto end = token.begin;
			while (end < text.size() && is_word(text[end])) {
				end++;
			}
			word = text.substr(token.begin, end - token.begin);
		}
		if (word.size() == 8) {
			for (auto &c : word) {
				c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
			}
			if (word == POSTGRES_CATALOG) {
				return true;
			}
		}
	}
	return false;
}

//! The path a COPY ... TO, EXPORT DATABASE or ATTACH statement writes: its first string literal after TO
//! (COPY) or its first string literal (EXPORT, ATTACH).
std::optional<std::string> WrittenPath(const std::string &text, StatementType type) {
	bool after_to = type != StatementType::COPY;
	std::string word; // the code word being read, upper-cased
	for (size_t i = 0; i < text.size();) {
		auto token = sql::NextToken(text, i);
		i = token.end;
		char c = text[token.begin];
		if (token.kind == sql::TokenKind::CODE && std::isalnum(static_cast<unsigned char>(c))) {
			word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
			continue;
		}
		after_to = after_to || word == "TO";
		word.clear();
		if (token.kind == sql::TokenKind::QUOTED && c == '\'' && after_to) {
			std::string literal;
			for (size_t k = token.begin + 1; k + 1 < token.end; k++) {
				literal.push_back(text[k]);
				k += text[k] == '\'' ? 1 : 0; // '' stands for '
			}
			return literal;
		}
	}
	return std::nullopt;
}

//! Refuses writes into the Delta tables' folder: only ingest writes there, through the Delta protocol.
void RefuseWritesIntoDeltaTables(const fs::path &data_dir, const std::string &text, StatementType type) {
	if (type != StatementType::COPY && type != StatementType::EXPORT && type != StatementType::ATTACH) {
		return;
	}
	auto written = WrittenPath(text, type);
	if (!written) {
		return;
	}
	fs::path path(*written);
	auto relative = (path.is_absolute() ? path : data_dir / path).lexically_normal().lexically_relative(data_dir);
	if (!relative.empty() && *relative.begin() == DELTA_DIR) {
		throw PermissionError("SQL may not write into deltalake/ (" + *written +
		                      "): Delta tables change only through ingest, so every version stays readable");
	}
}

} // namespace

void CheckUserSql(Connection &connection, const std::string &text) {
	RefuseForbiddenFunctions(text);
	const auto &attached = connection.GetDatabase().Config().attached;
	if (std::find(attached.begin(), attached.end(), POSTGRES_CATALOG) != attached.end() && NamesPostgres(text)) {
		// DuckDB caches PostgreSQL's catalog: tables another worker made or re-created are seen after a refresh.
		connection.Execute("CALL pg_clear_cache()");
	}
}

bool IsLostPostgresConnection(const std::exception &error) {
	std::string message = error.what();
	return message.find("server closed the connection unexpectedly") != std::string::npos ||
	       message.find("Failed to execute query \"ROLLBACK\"") != std::string::npos ||
	       message.find("no connection to the server") != std::string::npos;
}

UserStatement::UserStatement(Connection &connection, const fs::path &data_dir, const std::string &text)
    : prepared(PrepareLast(connection, data_dir, text, expanded, reads)) {
}

PreparedStatement UserStatement::PrepareLast(Connection &connection, const fs::path &data_dir, const std::string &text,
                                             std::string &expanded, std::vector<sql::DeltaRead> &reads) {
	CheckUserSql(connection, text);
	expanded = sql::ExpandDeltaTables(connection, data_dir, text, &reads);
	// DuckDB expands some statements into several (PIVOT without an IN list creates an ENUM type first): those
	// before the last run here; each is checked like the user's own.
	return connection.PrepareLast(expanded, [&](const PreparedStatement &statement) {
		if (statement.Type() == StatementType::LOAD) {
			throw PermissionError("installing or loading DuckDB extensions is not allowed: the extensions "
			                      "DeltaDuck ships are loaded already");
		}
		if (statement.Type() == StatementType::DETACH) {
			throw PermissionError("DETACH is not allowed in dashboard SQL: the databases attached are the "
			                      "workers' own");
		}
		RefuseWritesIntoDeltaTables(data_dir, text, statement.Type());
	});
}

} // namespace deltaduck::worker
