#include "gateway/auth.hpp"
#include "gateway/http_types.hpp"
#include "gateway/metrics.hpp"
#include "gateway/static_files.hpp"
#include "tests/unit/delta/delta_test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace deltaduck::gateway {

namespace fs = std::filesystem;

namespace {

HttpRequest Get(const std::string &path, std::map<std::string, std::string> headers = {}) {
	HttpRequest request;
	request.method = "GET";
	request.path = path;
	request.headers = std::move(headers);
	return request;
}

TEST(GatewayPiecesTest, QueryStringsAndPercentEscapesDecode) {
	auto query = ParseQuery("query=SELECT%20*%20FROM%20%3D(%5E)t&format=csv&empty=&bad=%zz");
	EXPECT_EQ(query["query"], "SELECT * FROM =(^)t");
	EXPECT_EQ(query["format"], "csv");
	EXPECT_EQ(query["empty"], "");
	EXPECT_EQ(query.count("bad"), 0u);
	std::string out;
	EXPECT_FALSE(PercentDecode("%4", out));
	EXPECT_TRUE(PercentDecode("a+b", out, true));
	EXPECT_EQ(out, "a b");
}

TEST(GatewayPiecesTest, TokensAreCheckedFromTheHeaderOrTheCookieAndNeverEchoed) {
	AccessPolicy policy;
	EXPECT_FALSE(CheckToken(policy, Get("/api/tables")));
	policy.token = "s3cret";
	auto missing = CheckToken(policy, Get("/api/tables"));
	ASSERT_TRUE(missing);
	EXPECT_EQ(missing->find("s3cret"), std::string::npos);
	EXPECT_FALSE(CheckToken(policy, Get("/", {{"authorization", "Bearer s3cret"}})));
	EXPECT_FALSE(CheckToken(policy, Get("/", {{"cookie", "a=1; deltaduck_token=s3cret"}})));
	auto wrong = CheckToken(policy, Get("/", {{"authorization", "Bearer s3cre"}}));
	ASSERT_TRUE(wrong);
	EXPECT_EQ(wrong->find("s3cre"), std::string::npos);
	EXPECT_TRUE(CheckToken(policy, Get("/", {{"authorization", "Basic czNjcmV0"}})));
	EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
	EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
	EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
	EXPECT_FALSE(ConstantTimeEquals("", "a"));
}

TEST(GatewayPiecesTest, OnlyTheServersOwnOrAllowedOriginsMayOpenTheSocket) {
	AccessPolicy policy;
	EXPECT_FALSE(CheckOrigin(policy, Get("/ws", {{"host", "127.0.0.1:8080"}})));
	EXPECT_FALSE(CheckOrigin(policy, Get("/ws", {{"host", "127.0.0.1:8080"}, {"origin", "http://127.0.0.1:8080"}})));
	EXPECT_TRUE(CheckOrigin(policy, Get("/ws", {{"host", "127.0.0.1:8080"}, {"origin", "http://evil.example"}})));
	policy.allowed_origins = {"http://localhost:5173"};
	EXPECT_FALSE(CheckOrigin(policy, Get("/ws", {{"host", "127.0.0.1:8080"}, {"origin", "http://localhost:5173"}})));
	EXPECT_TRUE(IsLoopback("127.0.0.1"));
	EXPECT_TRUE(IsLoopback("::1"));
	EXPECT_FALSE(IsLoopback("0.0.0.0"));
	EXPECT_FALSE(IsLoopback("192.168.1.2"));
}

TEST(GatewayPiecesTest, StaticFilesStayInsideTheirFolder) {
	TempDir temp;
	auto dist = temp.Path() / "dist";
	fs::create_directories(dist / "assets");
	std::ofstream(dist / "index.html") << "<html>app</html>";
	std::ofstream(dist / "assets" / "index-3f9a7c2b.js") << "js";
	std::ofstream(dist / "assets" / "index-3f9a7c2b.js.br") << "br";
	std::ofstream(temp.Path() / "secret.txt") << "secret";
	fs::create_symlink(temp.Path() / "secret.txt", dist / "link.txt");
	StaticFiles files(dist);
	auto asset = files.Serve(Get("/assets/index-3f9a7c2b.js"));
	EXPECT_EQ(asset.content_type, "text/javascript; charset=utf-8");
	EXPECT_EQ(asset.headers[0].second, "public, max-age=31536000, immutable");
	EXPECT_EQ(asset.file.filename(), "index-3f9a7c2b.js");
	auto compressed = files.Serve(Get("/assets/index-3f9a7c2b.js", {{"accept-encoding", "gzip, br"}}));
	EXPECT_EQ(compressed.file.filename(), "index-3f9a7c2b.js.br");
	EXPECT_EQ(files.Serve(Get("/analysis/table")).file.filename(), "index.html");
	for (const char *path : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/link.txt",
	                         "/..%5csecret.txt", "/missing.js"}) {
		auto response = files.Serve(Get(path));
		EXPECT_GE(response.status, 400u) << path;
		EXPECT_TRUE(response.file.empty()) << path;
	}
	auto placeholder = StaticFiles(temp.Path() / "absent").Serve(Get("/"));
	EXPECT_EQ(placeholder.status, 200u);
	EXPECT_NE(placeholder.body.find("make run"), std::string::npos);
}

TEST(GatewayPiecesTest, MetricsRenderAsPrometheusText) {
	Metrics metrics;
	metrics.Record("duck.querydata", "ok", std::chrono::microseconds(1500));
	metrics.Record("duck.querydata", "error", std::chrono::microseconds(200000));
	metrics.AddGauge({"deltaduck_held_result_bytes", "Bytes held.", [] {
		                  return std::vector<std::pair<std::string, double>>{{"", 42}};
	                  }});
	auto text = metrics.Render();
	EXPECT_NE(text.find("deltaduck_requests_total{endpoint=\"duck.querydata\",outcome=\"ok\"} 1"), std::string::npos);
	EXPECT_NE(text.find("deltaduck_request_duration_seconds_bucket{endpoint=\"duck.querydata\",le=\"0.0025\"} 1"),
	          std::string::npos);
	EXPECT_NE(text.find("deltaduck_request_duration_seconds_count{endpoint=\"duck.querydata\"} 2"), std::string::npos);
	EXPECT_NE(text.find("deltaduck_request_errors_total{endpoint=\"duck.querydata\"} 1"), std::string::npos);
	EXPECT_NE(text.find("deltaduck_held_result_bytes 42"), std::string::npos);
}

} // namespace

} // namespace deltaduck::gateway
