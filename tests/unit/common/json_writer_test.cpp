#include "common/json_writer.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

namespace deltaduck {

TEST(JsonWriter, NestsAndSeparates) {
	std::string out;
	JsonWriter json(out);
	json.BeginObject();
	json.Key("a");
	json.BeginArray();
	json.Int(1);
	json.Null();
	json.Bool(true);
	json.EndArray();
	json.Key("b");
	json.String("x");
	json.EndObject();
	EXPECT_EQ(out, R"({"a":[1,null,true],"b":"x"})");
}

TEST(JsonWriter, EscapesControlCharactersQuotesAndBackslashes) {
	std::string out;
	JsonWriter json(out);
	json.String("q\"b\\n\n\t\x01\x1f é");
	EXPECT_EQ(out, "\"q\\\"b\\\\n\\n\\t\\u0001\\u001f é\"");
}

TEST(JsonWriter, NonFiniteDoublesBecomeStrings) {
	std::string out;
	JsonWriter json(out);
	json.BeginArray();
	json.Double(std::nan(""));
	json.Double(std::numeric_limits<double>::infinity());
	json.Double(-std::numeric_limits<double>::infinity());
	json.Double(0.1);
	json.EndArray();
	EXPECT_EQ(out, R"(["NaN","Infinity","-Infinity",0.1])");
}

} // namespace deltaduck
