#include "delta/actions.hpp"

#include "common/error.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace deltaduck::delta {

namespace {

using nlohmann::json;

const json &Required(const json &object, const char *action, const char *name) {
	auto it = object.find(name);
	if (it == object.end() || it->is_null()) {
		ThrowMalformed(action, name, "is missing");
	}
	return *it;
}

std::string RequiredString(const json &object, const char *action, const char *name) {
	const auto &value = Required(object, action, name);
	if (!value.is_string()) {
		ThrowMalformed(action, name, "is not a string");
	}
	return value.get<std::string>();
}

int64_t RequiredInt(const json &object, const char *action, const char *name) {
	const auto &value = Required(object, action, name);
	if (!value.is_number_integer()) {
		ThrowMalformed(action, name, "is not an integer");
	}
	return value.get<int64_t>();
}

template <class T>
std::optional<T> Optional(const json &object, const char *action, const char *name) {
	auto it = object.find(name);
	if (it == object.end() || it->is_null()) {
		return std::nullopt;
	}
	try {
		return it->get<T>();
	} catch (const json::exception &) {
		ThrowMalformed(action, name, "has the wrong type");
	}
}

std::map<std::string, std::string> StringMap(const json &object, const char *action, const char *name) {
	std::map<std::string, std::string> result;
	auto it = object.find(name);
	if (it == object.end() || it->is_null()) {
		return result;
	}
	if (!it->is_object()) {
		ThrowMalformed(action, name, "is not an object");
	}
	for (const auto &[key, value] : it->items()) {
		if (value.is_string()) {
			result[key] = value.get<std::string>();
		} else if (!value.is_null()) {
			result[key] = value.dump();
		}
	}
	return result;
}

PartitionValues ParsePartitionValues(const json &object, const char *action) {
	PartitionValues result;
	auto it = object.find(field::PARTITION_VALUES);
	if (it == object.end() || it->is_null()) {
		return result;
	}
	if (!it->is_object()) {
		ThrowMalformed(action, field::PARTITION_VALUES, "is not an object");
	}
	for (const auto &[key, value] : it->items()) {
		if (value.is_string()) {
			result[key] = value.get<std::string>();
		} else {
			result[key] = std::nullopt;
		}
	}
	return result;
}

std::optional<DeletionVectorDescriptor> ParseDeletionVector(const json &object, const char *action) {
	auto it = object.find(field::DELETION_VECTOR);
	if (it == object.end() || it->is_null()) {
		return std::nullopt;
	}
	const auto &dv = *it;
	DeletionVectorDescriptor result;
	auto storage = RequiredString(dv, action, field::STORAGE_TYPE);
	if (storage.size() != 1) {
		ThrowMalformed(action, "deletionVector.storageType", "is not a single character");
	}
	result.storage_type = storage[0];
	result.path_or_inline_dv = RequiredString(dv, action, field::PATH_OR_INLINE_DV);
	result.offset = Optional<int32_t>(dv, action, field::OFFSET);
	result.size_in_bytes = static_cast<int32_t>(RequiredInt(dv, action, field::SIZE_IN_BYTES));
	result.cardinality = RequiredInt(dv, action, field::CARDINALITY);
	return result;
}

std::optional<std::vector<std::string>> StringList(const json &object, const char *action, const char *name) {
	auto it = object.find(name);
	if (it == object.end() || it->is_null()) {
		return std::nullopt;
	}
	if (!it->is_array()) {
		ThrowMalformed(action, name, "is not an array");
	}
	std::vector<std::string> result;
	for (const auto &item : *it) {
		if (!item.is_string()) {
			ThrowMalformed(action, name, "holds a non-string");
		}
		result.push_back(item.get<std::string>());
	}
	return result;
}

int HexValue(char c) {
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

} // namespace

void ThrowMalformed(const char *action, const char *name, const std::string &why) {
	throw CorruptError(std::string("malformed ") + action + " action: field '" + name + "' " + why);
}

std::string DeletionVectorDescriptor::UniqueId() const {
	std::string id(1, storage_type);
	id += path_or_inline_dv;
	if (offset) {
		id += "@" + std::to_string(*offset);
	}
	return id;
}

Protocol ParseProtocol(const json &object) {
	Protocol protocol;
	protocol.min_reader_version = static_cast<int32_t>(RequiredInt(object, field::PROTOCOL, field::MIN_READER_VERSION));
	protocol.min_writer_version = static_cast<int32_t>(RequiredInt(object, field::PROTOCOL, field::MIN_WRITER_VERSION));
	protocol.reader_features = StringList(object, field::PROTOCOL, field::READER_FEATURES);
	protocol.writer_features = StringList(object, field::PROTOCOL, field::WRITER_FEATURES);
	return protocol;
}

Metadata ParseMetadata(const json &object) {
	Metadata metadata;
	metadata.id = RequiredString(object, field::METADATA, field::ID);
	metadata.name = Optional<std::string>(object, field::METADATA, field::NAME);
	metadata.description = Optional<std::string>(object, field::METADATA, field::DESCRIPTION);
	auto format = object.find(field::FORMAT);
	if (format != object.end() && format->is_object() && format->contains(field::PROVIDER)) {
		metadata.format_provider = format->at(field::PROVIDER).get<std::string>();
	}
	// Spark treats a missing schema string as an empty schema; so do we (a scan then has no columns).
	metadata.schema_string = Optional<std::string>(object, field::METADATA, field::SCHEMA_STRING)
	                             .value_or(R"({"type":"struct","fields":[]})");
	metadata.partition_columns =
	    StringList(object, field::METADATA, field::PARTITION_COLUMNS).value_or(std::vector<std::string>{});
	metadata.configuration = StringMap(object, field::METADATA, field::CONFIGURATION);
	metadata.created_time = Optional<int64_t>(object, field::METADATA, field::CREATED_TIME);
	return metadata;
}

Add ParseAdd(const json &object) {
	Add add;
	add.path = DecodeUriPath(RequiredString(object, field::ADD, field::PATH));
	add.partition_values = ParsePartitionValues(object, field::ADD);
	add.size = RequiredInt(object, field::ADD, field::SIZE);
	add.modification_time = Optional<int64_t>(object, field::ADD, field::MODIFICATION_TIME).value_or(0);
	add.data_change = Optional<bool>(object, field::ADD, field::DATA_CHANGE).value_or(true);
	add.stats = Optional<std::string>(object, field::ADD, field::STATS);
	add.tags = StringMap(object, field::ADD, field::TAGS);
	add.deletion_vector = ParseDeletionVector(object, field::ADD);
	add.base_row_id = Optional<int64_t>(object, field::ADD, field::BASE_ROW_ID);
	add.default_row_commit_version = Optional<int64_t>(object, field::ADD, field::DEFAULT_ROW_COMMIT_VERSION);
	return add;
}

json DeletionVectorToJson(const DeletionVectorDescriptor &deletion_vector) {
	json out = {{field::STORAGE_TYPE, std::string(1, deletion_vector.storage_type)},
	            {field::PATH_OR_INLINE_DV, deletion_vector.path_or_inline_dv},
	            {field::SIZE_IN_BYTES, deletion_vector.size_in_bytes},
	            {field::CARDINALITY, deletion_vector.cardinality}};
	if (deletion_vector.offset) {
		out[field::OFFSET] = *deletion_vector.offset;
	}
	return out;
}

Remove ParseRemove(const json &object) {
	Remove remove;
	remove.path = DecodeUriPath(RequiredString(object, field::REMOVE, field::PATH));
	remove.deletion_timestamp = Optional<int64_t>(object, field::REMOVE, field::DELETION_TIMESTAMP);
	remove.data_change = Optional<bool>(object, field::REMOVE, field::DATA_CHANGE).value_or(true);
	remove.deletion_vector = ParseDeletionVector(object, field::REMOVE);
	if (object.contains(field::PARTITION_VALUES)) {
		remove.partition_values = ParsePartitionValues(object, field::REMOVE);
	}
	remove.size = Optional<int64_t>(object, field::REMOVE, field::SIZE);
	return remove;
}

SetTransaction ParseSetTransaction(const json &object) {
	SetTransaction txn;
	txn.app_id = RequiredString(object, field::TXN, field::APP_ID);
	txn.version = RequiredInt(object, field::TXN, field::VERSION);
	txn.last_updated = Optional<int64_t>(object, field::TXN, field::LAST_UPDATED);
	return txn;
}

DomainMetadata ParseDomainMetadata(const json &object) {
	DomainMetadata domain;
	domain.domain = RequiredString(object, field::DOMAIN_METADATA, field::DOMAIN);
	domain.configuration = Optional<std::string>(object, field::DOMAIN_METADATA, field::CONFIGURATION).value_or("");
	domain.removed = Optional<bool>(object, field::DOMAIN_METADATA, field::REMOVED).value_or(false);
	return domain;
}

json ProtocolToJson(const Protocol &protocol) {
	json body = {{field::MIN_READER_VERSION, protocol.min_reader_version},
	             {field::MIN_WRITER_VERSION, protocol.min_writer_version}};
	if (protocol.reader_features) {
		body[field::READER_FEATURES] = *protocol.reader_features;
	}
	if (protocol.writer_features) {
		body[field::WRITER_FEATURES] = *protocol.writer_features;
	}
	return {{field::PROTOCOL, body}};
}

json MetadataToJson(const Metadata &metadata) {
	json body = {{field::ID, metadata.id},
	             {field::FORMAT, {{field::PROVIDER, metadata.format_provider}, {field::OPTIONS, json::object()}}},
	             {field::SCHEMA_STRING, metadata.schema_string},
	             {field::PARTITION_COLUMNS, metadata.partition_columns},
	             {field::CONFIGURATION, metadata.configuration}};
	if (metadata.name) {
		body[field::NAME] = *metadata.name;
	}
	if (metadata.description) {
		body[field::DESCRIPTION] = *metadata.description;
	}
	if (metadata.created_time) {
		body[field::CREATED_TIME] = *metadata.created_time;
	}
	return {{field::METADATA, body}};
}

namespace {

json PartitionValuesToJson(const PartitionValues &values) {
	json object = json::object();
	for (const auto &[key, value] : values) {
		object[key] = value ? json(*value) : json(nullptr);
	}
	return object;
}

} // namespace

json AddToJson(const Add &add) {
	json body = {{field::PATH, UriEncodePath(add.path)},
	             {field::PARTITION_VALUES, PartitionValuesToJson(add.partition_values)},
	             {field::SIZE, add.size},
	             {field::MODIFICATION_TIME, add.modification_time},
	             {field::DATA_CHANGE, add.data_change}};
	if (add.stats) {
		body[field::STATS] = *add.stats;
	}
	if (!add.tags.empty()) {
		body[field::TAGS] = add.tags;
	}
	if (add.deletion_vector) {
		body[field::DELETION_VECTOR] = DeletionVectorToJson(*add.deletion_vector);
	}
	if (add.base_row_id) {
		body[field::BASE_ROW_ID] = *add.base_row_id;
	}
	if (add.default_row_commit_version) {
		body[field::DEFAULT_ROW_COMMIT_VERSION] = *add.default_row_commit_version;
	}
	return {{field::ADD, body}};
}

json RemoveToJson(const Remove &remove) {
	json body = {{field::PATH, UriEncodePath(remove.path)}, {field::DATA_CHANGE, remove.data_change}};
	if (remove.deletion_timestamp) {
		body[field::DELETION_TIMESTAMP] = *remove.deletion_timestamp;
	}
	if (remove.partition_values) {
		body[field::EXTENDED_FILE_METADATA] = true;
		body[field::PARTITION_VALUES] = PartitionValuesToJson(*remove.partition_values);
	}
	if (remove.size) {
		body[field::SIZE] = *remove.size;
	}
	if (remove.deletion_vector) {
		body[field::DELETION_VECTOR] = DeletionVectorToJson(*remove.deletion_vector);
	}
	return {{field::REMOVE, body}};
}

Remove RemoveOf(const Add &add, int64_t deletion_timestamp, bool data_change) {
	Remove remove;
	remove.path = add.path;
	remove.deletion_timestamp = deletion_timestamp;
	remove.data_change = data_change;
	remove.deletion_vector = add.deletion_vector;
	remove.partition_values = add.partition_values;
	remove.size = add.size;
	return remove;
}

json DomainMetadataToJson(const DomainMetadata &domain) {
	return {{field::DOMAIN_METADATA,
	         {{field::DOMAIN, domain.domain},
	          {field::CONFIGURATION, domain.configuration},
	          {field::REMOVED, domain.removed}}}};
}

json SetTransactionToJson(const SetTransaction &transaction) {
	json body = {{field::APP_ID, transaction.app_id}, {field::VERSION, transaction.version}};
	if (transaction.last_updated) {
		body[field::LAST_UPDATED] = *transaction.last_updated;
	}
	return {{field::TXN, body}};
}

std::string UriEncodePath(const std::string &path) {
	static constexpr char HEX[] = "0123456789ABCDEF";
	std::string out;
	for (unsigned char c : path) {
		if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '=' || c == '~') {
			out += static_cast<char>(c);
		} else {
			out += '%';
			out += HEX[c >> 4];
			out += HEX[c & 15];
		}
	}
	return out;
}

std::string DecodeUriPath(const std::string &path) {
	std::string decoded;
	decoded.reserve(path.size());
	for (size_t i = 0; i < path.size(); i++) {
		if (path[i] == '%' && i + 2 < path.size() && HexValue(path[i + 1]) >= 0 && HexValue(path[i + 2]) >= 0) {
			decoded.push_back(static_cast<char>(HexValue(path[i + 1]) * 16 + HexValue(path[i + 2])));
			i += 2;
		} else {
			decoded.push_back(path[i]);
		}
	}
	return decoded;
}

std::string FileKey(const std::string &path, const std::optional<DeletionVectorDescriptor> &deletion_vector) {
	return deletion_vector ? path + '\n' + deletion_vector->UniqueId() : path;
}

} // namespace deltaduck::delta
