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
	auto it = object.find("partitionValues");
	if (it == object.end() || it->is_null()) {
		return result;
	}
	if (!it->is_object()) {
		ThrowMalformed(action, "partitionValues", "is not an object");
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
	auto it = object.find("deletionVector");
	if (it == object.end() || it->is_null()) {
		return std::nullopt;
	}
	const auto &dv = *it;
	DeletionVectorDescriptor result;
	auto storage = RequiredString(dv, action, "storageType");
	if (storage.size() != 1) {
		ThrowMalformed(action, "deletionVector.storageType", "is not a single character");
	}
	result.storage_type = storage[0];
	result.path_or_inline_dv = RequiredString(dv, action, "pathOrInlineDv");
	result.offset = Optional<int32_t>(dv, action, "offset");
	result.size_in_bytes = static_cast<int32_t>(RequiredInt(dv, action, "sizeInBytes"));
	result.cardinality = RequiredInt(dv, action, "cardinality");
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
	protocol.min_reader_version = static_cast<int32_t>(RequiredInt(object, field::PROTOCOL, "minReaderVersion"));
	protocol.min_writer_version = static_cast<int32_t>(RequiredInt(object, field::PROTOCOL, "minWriterVersion"));
	protocol.reader_features = StringList(object, field::PROTOCOL, "readerFeatures");
	protocol.writer_features = StringList(object, field::PROTOCOL, "writerFeatures");
	return protocol;
}

Metadata ParseMetadata(const json &object) {
	Metadata metadata;
	metadata.id = RequiredString(object, field::METADATA, "id");
	metadata.name = Optional<std::string>(object, field::METADATA, "name");
	metadata.description = Optional<std::string>(object, field::METADATA, "description");
	auto format = object.find("format");
	if (format != object.end() && format->is_object() && format->contains("provider")) {
		metadata.format_provider = format->at("provider").get<std::string>();
	}
	// Spark treats a missing schema string as an empty schema; so do we (a scan then has no columns).
	metadata.schema_string =
	    Optional<std::string>(object, field::METADATA, "schemaString").value_or(R"({"type":"struct","fields":[]})");
	metadata.partition_columns =
	    StringList(object, field::METADATA, "partitionColumns").value_or(std::vector<std::string>{});
	metadata.configuration = StringMap(object, field::METADATA, "configuration");
	metadata.created_time = Optional<int64_t>(object, field::METADATA, "createdTime");
	return metadata;
}

Add ParseAdd(const json &object) {
	Add add;
	add.path = DecodeUriPath(RequiredString(object, field::ADD, "path"));
	add.partition_values = ParsePartitionValues(object, field::ADD);
	add.size = RequiredInt(object, field::ADD, "size");
	add.modification_time = Optional<int64_t>(object, field::ADD, "modificationTime").value_or(0);
	add.data_change = Optional<bool>(object, field::ADD, "dataChange").value_or(true);
	add.stats = Optional<std::string>(object, field::ADD, "stats");
	add.tags = StringMap(object, field::ADD, "tags");
	add.deletion_vector = ParseDeletionVector(object, field::ADD);
	add.base_row_id = Optional<int64_t>(object, field::ADD, "baseRowId");
	add.default_row_commit_version = Optional<int64_t>(object, field::ADD, "defaultRowCommitVersion");
	return add;
}

json DeletionVectorToJson(const DeletionVectorDescriptor &deletion_vector) {
	json out = {{"storageType", std::string(1, deletion_vector.storage_type)},
	            {"pathOrInlineDv", deletion_vector.path_or_inline_dv},
	            {"sizeInBytes", deletion_vector.size_in_bytes},
	            {"cardinality", deletion_vector.cardinality}};
	if (deletion_vector.offset) {
		out["offset"] = *deletion_vector.offset;
	}
	return out;
}

Remove ParseRemove(const json &object) {
	Remove remove;
	remove.path = DecodeUriPath(RequiredString(object, field::REMOVE, "path"));
	remove.deletion_timestamp = Optional<int64_t>(object, field::REMOVE, "deletionTimestamp");
	remove.data_change = Optional<bool>(object, field::REMOVE, "dataChange").value_or(true);
	remove.deletion_vector = ParseDeletionVector(object, field::REMOVE);
	if (object.contains("partitionValues")) {
		remove.partition_values = ParsePartitionValues(object, field::REMOVE);
	}
	remove.size = Optional<int64_t>(object, field::REMOVE, "size");
	return remove;
}

SetTransaction ParseSetTransaction(const json &object) {
	SetTransaction txn;
	txn.app_id = RequiredString(object, field::TXN, "appId");
	txn.version = RequiredInt(object, field::TXN, "version");
	txn.last_updated = Optional<int64_t>(object, field::TXN, "lastUpdated");
	return txn;
}

DomainMetadata ParseDomainMetadata(const json &object) {
	DomainMetadata domain;
	domain.domain = RequiredString(object, field::DOMAIN_METADATA, "domain");
	domain.configuration = Optional<std::string>(object, field::DOMAIN_METADATA, "configuration").value_or("");
	domain.removed = Optional<bool>(object, field::DOMAIN_METADATA, "removed").value_or(false);
	return domain;
}

json ProtocolToJson(const Protocol &protocol) {
	json body = {{"minReaderVersion", protocol.min_reader_version}, {"minWriterVersion", protocol.min_writer_version}};
	if (protocol.reader_features) {
		body["readerFeatures"] = *protocol.reader_features;
	}
	if (protocol.writer_features) {
		body["writerFeatures"] = *protocol.writer_features;
	}
	return {{field::PROTOCOL, body}};
}

json MetadataToJson(const Metadata &metadata) {
	json body = {{"id", metadata.id},
	             {"format", {{"provider", metadata.format_provider}, {"options", json::object()}}},
	             {"schemaString", metadata.schema_string},
	             {"partitionColumns", metadata.partition_columns},
	             {"configuration", metadata.configuration}};
	if (metadata.name) {
		body["name"] = *metadata.name;
	}
	if (metadata.description) {
		body["description"] = *metadata.description;
	}
	if (metadata.created_time) {
		body["createdTime"] = *metadata.created_time;
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
	json body = {{"path", UriEncodePath(add.path)},
	             {"partitionValues", PartitionValuesToJson(add.partition_values)},
	             {"size", add.size},
	             {"modificationTime", add.modification_time},
	             {"dataChange", add.data_change}};
	if (add.stats) {
		body["stats"] = *add.stats;
	}
	if (!add.tags.empty()) {
		body["tags"] = add.tags;
	}
	if (add.deletion_vector) {
		body["deletionVector"] = DeletionVectorToJson(*add.deletion_vector);
	}
	if (add.base_row_id) {
		body["baseRowId"] = *add.base_row_id;
	}
	if (add.default_row_commit_version) {
		body["defaultRowCommitVersion"] = *add.default_row_commit_version;
	}
	return {{field::ADD, body}};
}

json RemoveToJson(const Remove &remove) {
	json body = {{"path", UriEncodePath(remove.path)}, {"dataChange", remove.data_change}};
	if (remove.deletion_timestamp) {
		body["deletionTimestamp"] = *remove.deletion_timestamp;
	}
	if (remove.partition_values) {
		body["extendedFileMetadata"] = true;
		body["partitionValues"] = PartitionValuesToJson(*remove.partition_values);
	}
	if (remove.size) {
		body["size"] = *remove.size;
	}
	if (remove.deletion_vector) {
		body["deletionVector"] = DeletionVectorToJson(*remove.deletion_vector);
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
	         {{"domain", domain.domain}, {"configuration", domain.configuration}, {"removed", domain.removed}}}};
}

json SetTransactionToJson(const SetTransaction &transaction) {
	json body = {{"appId", transaction.app_id}, {"version", transaction.version}};
	if (transaction.last_updated) {
		body["lastUpdated"] = *transaction.last_updated;
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
