#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace deltaduck::delta {

//! Action and field names of the Delta log, defined once.
namespace field {
constexpr const char *ADD = "add";
constexpr const char *REMOVE = "remove";
constexpr const char *METADATA = "metaData";
constexpr const char *PROTOCOL = "protocol";
constexpr const char *TXN = "txn";
constexpr const char *COMMIT_INFO = "commitInfo";
constexpr const char *DOMAIN_METADATA = "domainMetadata";
constexpr const char *CHECKPOINT_METADATA = "checkpointMetadata";
constexpr const char *SIDECAR = "sidecar";
constexpr const char *CDC = "cdc";
// Fields of add and remove.
constexpr const char *PATH = "path";
constexpr const char *PARTITION_VALUES = "partitionValues";
constexpr const char *SIZE = "size";
constexpr const char *MODIFICATION_TIME = "modificationTime";
constexpr const char *DATA_CHANGE = "dataChange";
constexpr const char *STATS = "stats";
constexpr const char *TAGS = "tags";
constexpr const char *DELETION_VECTOR = "deletionVector";
constexpr const char *BASE_ROW_ID = "baseRowId";
constexpr const char *DEFAULT_ROW_COMMIT_VERSION = "defaultRowCommitVersion";
constexpr const char *DELETION_TIMESTAMP = "deletionTimestamp";
constexpr const char *EXTENDED_FILE_METADATA = "extendedFileMetadata";
// Fields of a deletion vector descriptor.
constexpr const char *STORAGE_TYPE = "storageType";
constexpr const char *PATH_OR_INLINE_DV = "pathOrInlineDv";
constexpr const char *OFFSET = "offset";
constexpr const char *SIZE_IN_BYTES = "sizeInBytes";
constexpr const char *CARDINALITY = "cardinality";
// Fields of protocol.
constexpr const char *MIN_READER_VERSION = "minReaderVersion";
constexpr const char *MIN_WRITER_VERSION = "minWriterVersion";
constexpr const char *READER_FEATURES = "readerFeatures";
constexpr const char *WRITER_FEATURES = "writerFeatures";
// Fields of metaData.
constexpr const char *ID = "id";
constexpr const char *NAME = "name";
constexpr const char *DESCRIPTION = "description";
constexpr const char *FORMAT = "format";
constexpr const char *PROVIDER = "provider";
constexpr const char *OPTIONS = "options";
constexpr const char *SCHEMA_STRING = "schemaString";
constexpr const char *PARTITION_COLUMNS = "partitionColumns";
constexpr const char *CONFIGURATION = "configuration";
constexpr const char *CREATED_TIME = "createdTime";
// Fields of txn and domainMetadata.
constexpr const char *APP_ID = "appId";
constexpr const char *VERSION = "version";
constexpr const char *LAST_UPDATED = "lastUpdated";
constexpr const char *DOMAIN = "domain";
constexpr const char *REMOVED = "removed";
} // namespace field

//! Which versions and features a table needs from its readers and writers.
struct Protocol {
	int32_t min_reader_version = 1;
	int32_t min_writer_version = 2;
	std::optional<std::vector<std::string>> reader_features;
	std::optional<std::vector<std::string>> writer_features;
};

//! The table's identity, schema, partitioning and configuration.
struct Metadata {
	std::string id;
	std::optional<std::string> name;
	std::optional<std::string> description;
	std::string format_provider = "parquet";
	std::string schema_string;
	std::vector<std::string> partition_columns;
	std::map<std::string, std::string> configuration;
	std::optional<int64_t> created_time;
};

//! Where a data file's deleted rows are recorded.
struct DeletionVectorDescriptor {
	//! 'u' (relative path from a UUID), 'i' (inline), 'p' (absolute path).
	char storage_type = 'u';
	std::string path_or_inline_dv;
	std::optional<int32_t> offset;
	int32_t size_in_bytes = 0;
	int64_t cardinality = 0;

	//! Identifies the vector within the table: storage type, path and offset.
	std::string UniqueId() const;
};

//! A partition value as logged: nullopt is NULL.
using PartitionValues = std::map<std::string, std::optional<std::string>>;

//! A data file that joins the table.
struct Add {
	//! Relative to the table root (URI-decoded), or an absolute URI.
	std::string path;
	PartitionValues partition_values;
	int64_t size = 0;
	int64_t modification_time = 0;
	bool data_change = true;
	//! The stats JSON string (numRecords, minValues, maxValues, nullCount), if recorded.
	std::optional<std::string> stats;
	std::map<std::string, std::string> tags;
	std::optional<DeletionVectorDescriptor> deletion_vector;
	std::optional<int64_t> base_row_id;
	std::optional<int64_t> default_row_commit_version;
};

//! A data file that leaves the table (a tombstone).
struct Remove {
	std::string path;
	std::optional<int64_t> deletion_timestamp;
	bool data_change = true;
	std::optional<DeletionVectorDescriptor> deletion_vector;
	std::optional<PartitionValues> partition_values;
	std::optional<int64_t> size;
};

//! The latest version an application committed (idempotent writes).
struct SetTransaction {
	std::string app_id;
	int64_t version = 0;
	std::optional<int64_t> last_updated;
};

//! Configuration of a named metadata domain.
struct DomainMetadata {
	std::string domain;
	std::string configuration;
	bool removed = false;
};

//! Parses an action object's body; throws CorruptError naming the missing or mistyped field.
Protocol ParseProtocol(const nlohmann::json &json);
Metadata ParseMetadata(const nlohmann::json &json);
//! Throws the CorruptError of an action field that is missing or mistyped ("malformed add action: field 'size' is
//! missing"); `why` completes the sentence.
[[noreturn]] void ThrowMalformed(const char *action, const char *name, const std::string &why);
Add ParseAdd(const nlohmann::json &json);
Remove ParseRemove(const nlohmann::json &json);
SetTransaction ParseSetTransaction(const nlohmann::json &json);
DomainMetadata ParseDomainMetadata(const nlohmann::json &json);

//! Serializes an action as a log line's object, e.g. {"protocol": {...}} (optional fields only when set).
nlohmann::json ProtocolToJson(const Protocol &protocol);
nlohmann::json MetadataToJson(const Metadata &metadata);
nlohmann::json SetTransactionToJson(const SetTransaction &transaction);
//! A live file as a checkpoint holds it (every field it was logged with, deletion vector included).
nlohmann::json AddToJson(const Add &add);
//! A tombstone as a checkpoint holds it.
nlohmann::json RemoveToJson(const Remove &remove);

//! The remove of a live file, carrying what its add had (path, deletion vector, partition values, size): replay
//! tracks a file by path and deletion vector, so a remove without the vector would leave the file live.
Remove RemoveOf(const Add &add, int64_t deletion_timestamp, bool data_change);
nlohmann::json DomainMetadataToJson(const DomainMetadata &domain);
//! A deletion vector descriptor as it appears inside add and remove actions.
nlohmann::json DeletionVectorToJson(const DeletionVectorDescriptor &deletion_vector);

//! Encodes a relative path as the log writes it (a URI path: unreserved characters as they are, the rest %XX).
std::string UriEncodePath(const std::string &path);
//! Decodes %XX escapes of a path written in the log (paths are URIs).
std::string DecodeUriPath(const std::string &path);

//! The key a data file is tracked by during log replay: its path and deletion-vector id.
std::string FileKey(const std::string &path, const std::optional<DeletionVectorDescriptor> &deletion_vector);

} // namespace deltaduck::delta
