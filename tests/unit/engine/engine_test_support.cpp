#include "tests/unit/engine/engine_test_support.hpp"

#include "engine/value_encoder.hpp"

namespace deltaduck {

Connection OpenTestConnection() {
	auto config = DatabaseConfig::Defaults();
	config.threads = 2;
	return Connection::Open(Database::Open(config));
}

std::string QueryJsonRows(Connection &connection, const std::string &sql) {
	auto result = connection.Query(sql);
	RowEncoder encoder(result.Columns());
	std::string out;
	while (auto chunk = result.Fetch()) {
		encoder.Bind(chunk);
		for (uint64_t row = 0; row < chunk.RowCount(); row++) {
			if (!out.empty()) {
				out += '\n';
			}
			JsonWriter json(out);
			encoder.WriteArray(json, row);
		}
	}
	return out;
}

} // namespace deltaduck
