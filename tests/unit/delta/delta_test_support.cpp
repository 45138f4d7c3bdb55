#include "tests/unit/delta/delta_test_support.hpp"

#include "delta/log_path.hpp"

#include "delta/checkpoint_reader.hpp"

#include "common/sql_quote.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace deltaduck {

namespace fs = std::filesystem;
using nlohmann::json;

TempDir::TempDir() {
	static std::atomic<int> counter = 0;
	path_ = fs::temp_directory_path() /
	        ("deltaduck-delta-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
	fs::remove_all(path_);
	fs::create_directories(path_);
}

TempDir::~TempDir() {
	std::error_code error;
	fs::remove_all(path_, error);
}

delta::VersionSpec AtVersion(int64_t version) {
	delta::VersionSpec spec;
	spec.version = version;
	return spec;
}

delta::VersionSpec AtTimestamp(int64_t ms) {
	delta::VersionSpec spec;
	spec.timestamp_ms = ms;
	return spec;
}

fs::path UnpackGoldenTable(const fs::path &data, const std::string &name, const std::string &table) {
	auto archive = fs::path(DELTADUCK_SOURCE_DIR) / ".." / "shared" / "delta-golden" / (name + ".tar.zst");
	if (!fs::exists(archive)) {
		return {};
	}
	auto unpacked = data / ("_golden_" + name);
	fs::create_directories(unpacked);
	fs::create_directories(data / "deltalake");
	auto command = "tar --zstd -xf '" + archive.string() + "' -C '" + unpacked.string() + "'";
	if (std::system(command.c_str()) != 0) {
		throw std::runtime_error("cannot unpack " + archive.string());
	}
	fs::rename(unpacked / name / "delta", data / "deltalake" / table);
	fs::remove_all(unpacked);
	return data / "deltalake" / table;
}

void WriteTextFile(const fs::path &file, const std::string &text) {
	fs::create_directories(file.parent_path());
	std::ofstream out(file, std::ios::binary | std::ios::trunc);
	out << text;
	if (!out) {
		throw std::runtime_error("cannot write " + file.string());
	}
}

void WriteCommit(const fs::path &table_root, int64_t version, const std::vector<json> &actions) {
	char name[32];
	std::snprintf(name, sizeof(name), "%020lld.json", static_cast<long long>(version));
	std::string text;
	for (const auto &action : actions) {
		text += action.dump() + "\n";
	}
	WriteTextFile(table_root / "_delta_log" / name, text);
}

void SetModificationTimeMs(const fs::path &file, int64_t ms) {
	struct timespec times[2];
	for (auto &time : times) {
		time.tv_sec = ms / 1000;
		time.tv_nsec = (ms % 1000) * 1000000;
	}
	if (::utimensat(AT_FDCWD, file.c_str(), times, 0) != 0) {
		throw std::runtime_error("cannot set the modification time of " + file.string());
	}
}

std::string SchemaString(const std::vector<std::pair<std::string, std::string>> &columns) {
	json fields = json::array();
	for (const auto &[name, type] : columns) {
		fields.push_back({{"name", name}, {"type", type}, {"nullable", true}, {"metadata", json::object()}});
	}
	return json{{"type", "struct"}, {"fields", fields}}.dump();
}

json ProtocolAction(int32_t reader_version, int32_t writer_version) {
	return {{"protocol", {{"minReaderVersion", reader_version}, {"minWriterVersion", writer_version}}}};
}

json MetadataAction(const std::vector<std::pair<std::string, std::string>> &columns,
                    const std::vector<std::string> &partition_columns) {
	return {{"metaData",
	         {{"id", "5fba94ed-9794-4965-ba6e-6ee3c0d22af9"},
	          {"format", {{"provider", "parquet"}, {"options", json::object()}}},
	          {"schemaString", SchemaString(columns)},
	          {"partitionColumns", partition_columns},
	          {"configuration", json::object()},
	          {"createdTime", 1700000000000}}}};
}

json AddAction(const std::string &path, const json &partition_values, const std::string &stats) {
	json add = {{"path", path},
	            {"partitionValues", partition_values},
	            {"size", 1},
	            {"modificationTime", 1700000000000},
	            {"dataChange", true}};
	if (!stats.empty()) {
		add["stats"] = stats;
	}
	return {{"add", add}};
}

json RemoveAction(const std::string &path) {
	return {{"remove", {{"path", path}, {"deletionTimestamp", 1700000000000}, {"dataChange", true}}}};
}

std::string EncodeZ85(const std::string &bytes) {
	static const char ALPHABET[] =
	    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
	if (bytes.size() % 4 != 0) {
		throw std::runtime_error("Z85 input must be a multiple of 4 bytes");
	}
	std::string text;
	for (size_t i = 0; i < bytes.size(); i += 4) {
		uint32_t value = 0;
		for (size_t k = 0; k < 4; k++) {
			value = value * 256 + static_cast<unsigned char>(bytes[i + k]);
		}
		char group[5];
		for (int k = 4; k >= 0; k--) {
			group[k] = ALPHABET[value % 85];
			value /= 85;
		}
		text.append(group, 5);
	}
	return text;
}

namespace {

void AppendLittleEndian(std::string &out, uint64_t value, size_t bytes) {
	for (size_t i = 0; i < bytes; i++) {
		out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
	}
}

} // namespace

std::string SmallRoaringBitmapArray(const std::vector<uint16_t> &sorted_rows) {
	std::string out;
	AppendLittleEndian(out, 1681511377, 4); // magic
	AppendLittleEndian(out, 1, 8);          // one bitmap
	AppendLittleEndian(out, 0, 4);          // its high 32 bits
	AppendLittleEndian(out, 12346, 4);      // cookie: no run containers
	AppendLittleEndian(out, 1, 4);          // one container
	AppendLittleEndian(out, 0, 2);          // key
	AppendLittleEndian(out, sorted_rows.size() - 1, 2);
	AppendLittleEndian(out, 4 + 4 + 4 + 4, 4); // the container starts after cookie, count, key and offset
	for (auto row : sorted_rows) {
		AppendLittleEndian(out, row, 2);
	}
	return out;
}

json InlineDeletionVector(const std::vector<uint16_t> &sorted_rows) {
	auto bytes = SmallRoaringBitmapArray(sorted_rows);
	auto size = bytes.size();
	bytes.resize((bytes.size() + 3) / 4 * 4, '\0');
	return {{"storageType", "i"},
	        {"pathOrInlineDv", EncodeZ85(bytes)},
	        {"sizeInBytes", size},
	        {"cardinality", sorted_rows.size()}};
}

int64_t WriteParquet(Connection &connection, const fs::path &file, const std::string &select_sql) {
	fs::create_directories(file.parent_path());
	connection.Execute("COPY (" + select_sql + ") TO " + QuoteLiteral(file.string()) + " (FORMAT parquet)");
	return static_cast<int64_t>(fs::file_size(file));
}

std::vector<int64_t> CommitVersions(const std::filesystem::path &table_root) {
	std::vector<int64_t> versions;
	std::error_code error;
	for (const auto &entry : std::filesystem::directory_iterator(table_root / "_delta_log", error)) {
		auto parsed = delta::ParsedLogPath::Parse(entry.path().filename().string());
		if (parsed && parsed->type == delta::LogPathType::COMMIT) {
			versions.push_back(parsed->version);
		}
	}
	std::sort(versions.begin(), versions.end());
	return versions;
}

std::vector<nlohmann::json> ReadCommit(const std::filesystem::path &table_root, int64_t version) {
	return delta::ReadJsonActions(table_root / "_delta_log" / delta::CommitFileName(version));
}

} // namespace deltaduck
