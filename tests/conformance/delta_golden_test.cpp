// Conformance of the Delta reader against the reference tables in ../shared/delta-golden (see its
// README): every table is checked as MANIFEST.tsv says, and the run ends with
// "conformance: N passed, M failed, K skipped". Skips, saying so, when ../shared is absent.

#include "common/error.hpp"
#include "common/sql_quote.hpp"
#include "delta/scan.hpp"
#include "engine/connection.hpp"
#include "engine/value_encoder.hpp"
#include "tests/support/table_compare.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace deltaduck {

namespace fs = std::filesystem;

namespace {

struct ManifestRow {
	std::string table;
	std::string expectation;
	std::string note;
};

fs::path GoldenDir() {
	return fs::path(DELTADUCK_SOURCE_DIR) / ".." / "shared" / "delta-golden";
}

std::vector<ManifestRow> ReadManifest() {
	std::vector<ManifestRow> rows;
	std::ifstream in(GoldenDir() / "MANIFEST.tsv");
	std::string line;
	std::getline(in, line); // header
	while (std::getline(in, line)) {
		std::istringstream fields(line);
		ManifestRow row;
		std::getline(fields, row.table, '\t');
		std::getline(fields, row.expectation, '\t');
		std::getline(fields, row.note);
		if (!row.table.empty()) {
			rows.push_back(row);
		}
	}
	return rows;
}

struct Tally {
	int passed = 0, failed = 0, skipped = 0;
	std::vector<std::string> read_or_reject_read, read_or_reject_refused;
};
Tally tally;

//! Unpacks every table once into a temporary folder.
fs::path Unpacked() {
	static fs::path dir = [] {
		auto target = fs::temp_directory_path() / ("deltaduck-golden-" + std::to_string(::getpid()));
		fs::create_directories(target);
		for (const auto &entry : fs::directory_iterator(GoldenDir())) {
			if (entry.path().string().size() > 8 &&
			    entry.path().string().compare(entry.path().string().size() - 8, 8, ".tar.zst") == 0) {
				auto command =
				    "tar --zstd -xf '" + entry.path().string() + "' -C '" + target.string() + "' 2>/dev/null";
				if (std::system(command.c_str()) != 0) {
					throw std::runtime_error("cannot unpack " + entry.path().string());
				}
			}
		}
		return target;
	}();
	return dir;
}

//! Whether `message` holds (ignoring case) a word of `note` that says something: 4+ letters or a number,
//! not a filler word.
bool MentionsNoteWord(const std::string &message, const std::string &note) {
	static const std::set<std::string> FILLER = {"must", "with", "that", "this", "lacks", "have", "table"};
	auto lower = [](std::string text) {
		for (auto &c : text) {
			c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
		}
		return text;
	};
	auto text = lower(message);
	std::string word;
	for (char c : lower(note) + " ") {
		if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
			word.push_back(c);
			continue;
		}
		bool telling = word.size() >= 4 || (!word.empty() && std::isdigit(static_cast<unsigned char>(word[0])));
		if (telling && !FILLER.count(word) && text.find(word) != std::string::npos) {
			return true;
		}
		word.clear();
	}
	return false;
}

class DeltaGolden : public ::testing::TestWithParam<ManifestRow> {
protected:
	void SetUp() override {
		connection_ = std::make_unique<Connection>(Connection::Open(Database::Open(DatabaseConfig::Defaults())));
	}
	std::unique_ptr<Connection> connection_;
};

TEST_P(DeltaGolden, MeetsItsExpectation) {
	const auto &row = GetParam();
	if (row.expectation == "skip") {
		tally.skipped++;
		GTEST_SKIP() << row.note;
	}
	auto root = Unpacked() / row.table;
	auto table = root / "delta";
	bool ok = false;
	std::string outcome;
	try {
		auto snapshot = delta::Snapshot::Load(*connection_, table);
		if (row.expectation == "must-open") {
			try {
				auto scan = delta::Scan::Plan(*connection_, snapshot);
				connection_->Execute("SELECT count(*) FROM (" + scan.Sql() + ")");
			} catch (const NotFoundError &e) {
				ASSERT_NE(std::string(e.what()).find("data file missing"), std::string::npos) << e.what();
			}
			ok = true;
		} else if (row.expectation == "must-fail") {
			auto scan = delta::Scan::Plan(*connection_, snapshot);
			connection_->Execute("SELECT count(*) FROM (" + scan.Sql() + ")");
			outcome = "read without error, but the table is broken: " + row.note;
		} else {
			auto scan = delta::Scan::Plan(*connection_, snapshot);
			auto diff = CompareRows(*connection_, *snapshot, scan.Sql(),
			                        ReadParquetSql((root / "expected" / "*.parquet").string()));
			ok = SameRows(diff);
			outcome = diff;
			if (ok && row.expectation == "read-or-reject") {
				tally.read_or_reject_read.push_back(row.table);
			}
		}
	} catch (const Error &e) {
		outcome = std::string(ErrorTypeName(e.Type())) + ": " + e.what();
		if (row.expectation == "must-fail") {
			// The refusal must be one a broken table earns (not an I/O or internal failure, such as a failed
			// unpack) and must say why: a word of the manifest's note appears in the message.
			bool fitting = e.Type() == ErrorType::CORRUPT || e.Type() == ErrorType::UNSUPPORTED ||
			               e.Type() == ErrorType::NOT_FOUND;
			ok = fitting && MentionsNoteWord(e.what(), row.note);
		} else if (row.expectation == "read-or-reject" && e.Type() == ErrorType::UNSUPPORTED) {
			// Refusing is allowed only by naming a feature the note lists.
			auto features = row.note.substr(row.note.find(':') + 1);
			std::istringstream names(features);
			std::string name;
			while (std::getline(names, name, ',')) {
				name.erase(0, name.find_first_not_of(' '));
				ok = ok || std::string(e.what()).find(name) != std::string::npos;
			}
			if (ok) {
				tally.read_or_reject_refused.push_back(row.table);
			}
		}
	}
	(ok ? tally.passed : tally.failed)++;
	EXPECT_TRUE(ok) << row.table << " (" << row.expectation << "): " << outcome;
}

std::vector<ManifestRow> ManifestOrEmpty() {
	if (!fs::exists(GoldenDir() / "MANIFEST.tsv")) {
		return {};
	}
	return ReadManifest();
}

INSTANTIATE_TEST_SUITE_P(Tables, DeltaGolden, ::testing::ValuesIn(ManifestOrEmpty()),
                         [](const ::testing::TestParamInfo<ManifestRow> &info) {
	                         std::string name;
	                         for (char c : info.param.table) {
		                         name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
	                         }
	                         return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DeltaGolden);

TEST(DeltaGoldenSet, IsPresent) {
	if (!fs::exists(GoldenDir() / "MANIFEST.tsv")) {
		GTEST_SKIP() << "conformance tables not found at " << GoldenDir().string()
		             << " (../shared is absent): conformance skipped";
	}
}

class Summary : public ::testing::Environment {
public:
	void TearDown() override {
		if (!tally.read_or_reject_read.empty() || !tally.read_or_reject_refused.empty()) {
			std::cout << "read-or-reject: " << tally.read_or_reject_read.size() << " read, "
			          << tally.read_or_reject_refused.size() << " refused by feature name\n";
		}
		std::cout << "conformance: " << tally.passed << " passed, " << tally.failed << " failed, " << tally.skipped
		          << " skipped\n";
		std::error_code error;
		fs::remove_all(fs::temp_directory_path() / ("deltaduck-golden-" + std::to_string(::getpid())), error);
	}
};

const auto *summary = ::testing::AddGlobalTestEnvironment(new Summary);

} // namespace

} // namespace deltaduck
