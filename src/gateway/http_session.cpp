#include "gateway/auth.hpp"
#include "gateway/websocket_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cctype>
#include <set>

namespace deltaduck::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

HttpRequest ToRequest(const http::request<http::string_body> &message) {
	HttpRequest request;
	request.method = std::string(message.method_string());
	auto target = std::string(message.target());
	auto question = target.find('?');
	request.path = target.substr(0, question);
	if (question != std::string::npos) {
		request.query = ParseQuery(target.substr(question + 1));
	}
	for (const auto &field : message) {
		std::string name(field.name_string());
		for (auto &c : name) {
			c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
		}
		request.headers[name] = std::string(field.value());
	}
	request.body = message.body();
	return request;
}

const char *LOGIN_PAGE = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DeltaDuck: sign in</title>
<style>body{background:#261e2f;color:#eee;font-family:sans-serif;max-width:30em;margin:5em auto}
input,button{font-size:1em;padding:.4em}button{background:#e86620;color:#fff;border:0}h1{color:#07ee7a}</style></head>
<body><h1>DeltaDuck</h1><p>%MESSAGE%</p>
<form method="post" action="/login"><input type="password" name="token" placeholder="Access token" autofocus>
<button type="submit">Sign in</button></form></body></html>
)";

HttpResponse LoginPage(const std::string &message, unsigned status) {
	HttpResponse response;
	response.status = status;
	response.content_type = "text/html; charset=utf-8";
	response.body = LOGIN_PAGE;
	response.body.replace(response.body.find("%MESSAGE%"), 9, message);
	return response;
}

//! GET /login shows the form; POST /login with the right token sets the cookie and goes to the app.
HttpResponse Login(const HttpRequest &request, const AccessPolicy &policy) {
	if (request.method != "POST") {
		return LoginPage("This server needs its access token.", 200);
	}
	auto token = ParseQuery(request.body)["token"];
	if (policy.token.empty() || !ConstantTimeEquals(token, policy.token)) {
		return LoginPage("That is not this server's token.", 401);
	}
	HttpResponse response;
	response.status = 303;
	response.headers.emplace_back("Location", "/");
	response.headers.emplace_back("Set-Cookie",
	                              std::string(TOKEN_COOKIE) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
	return response;
}

template <class Message>
void SetHeaders(Message &message, const HttpResponse &response, bool keep_alive) {
	message.set(http::field::server, "deltaduck");
	message.set(http::field::content_type, response.content_type);
	for (const auto &[name, value] : response.headers) {
		message.set(name, value);
	}
	message.keep_alive(keep_alive);
}

net::awaitable<beast::error_code> Write(beast::tcp_stream &stream, const http::request<http::string_body> &request,
                                        HttpResponse response) {
	bool head = request.method() == http::verb::head;
	beast::error_code error;
	if (!response.file.empty()) {
		http::response<http::file_body> message{static_cast<http::status>(response.status), request.version()};
		message.body().open(response.file.c_str(), beast::file_mode::scan, error);
		if (!error) {
			SetHeaders(message, response, request.keep_alive());
			message.prepare_payload();
			if (head) {
				http::response_serializer<http::file_body> serializer{message};
				serializer.split(true);
				std::tie(error, std::ignore) =
				    co_await http::async_write_header(stream, serializer, net::as_tuple(net::use_awaitable));
			} else {
				std::tie(error, std::ignore) =
				    co_await http::async_write(stream, message, net::as_tuple(net::use_awaitable));
			}
		}
		if (response.delete_file) {
			std::error_code ignored;
			std::filesystem::remove(response.file, ignored);
		}
		if (!error) {
			co_return error;
		}
		response = JsonError(500, "IO", "cannot read the file to send");
	}
	http::response<http::string_body> message{static_cast<http::status>(response.status), request.version()};
	SetHeaders(message, response, request.keep_alive());
	message.body() = std::move(response.body);
	message.prepare_payload();
	if (head) {
		message.body().clear();
	}
	std::tie(error, std::ignore) = co_await http::async_write(stream, message, net::as_tuple(net::use_awaitable));
	co_return error;
}

//! Refuses a Host that is not loopback when no token guards the server: a page of a foreign name that resolves
//! to 127.0.0.1 (DNS rebinding) would otherwise be "same origin" with it.
std::optional<HttpResponse> CheckHost(const AccessPolicy &policy, const HttpRequest &request) {
	auto host = request.Header("host");
	host = host.substr(0, host.rfind(':') == std::string::npos || host.back() == ']' ? host.size() : host.rfind(':'));
	if (policy.token.empty() && !IsLoopback(host)) {
		return JsonError(421, "Permission",
		                 "this server answers only to a loopback host name (127.0.0.1, localhost) unless it has an "
		                 "access token; the Host header named " +
		                     host);
	}
	return std::nullopt;
}

//! Refuses what a page of another site could make a browser send: API calls or sign-ins from another origin (a
//! form or an <img> needs no preflight). JSON bodies must say they are JSON, which a page of another origin
//! cannot send without asking first.
std::optional<HttpResponse> CheckSameSite(const AccessPolicy &policy, const HttpRequest &request) {
	bool guarded = Router::IsApiPath(request.path) || request.path == "/login";
	if (!guarded) {
		return std::nullopt;
	}
	if (request.Header("sec-fetch-site") == "cross-site") {
		return JsonError(403, "Permission", "requests from pages of other sites are refused");
	}
	if (auto origin = CheckOrigin(policy, request)) {
		return JsonError(403, "Permission", *origin);
	}
	static const std::set<std::string> JSON_POSTS = {"/api/query", "/api/ingest", "/api/complete"};
	if (request.method == "POST" && JSON_POSTS.count(request.path) &&
	    request.Header("content-type").rfind("application/json", 0) != 0) {
		return JsonError(415, "InvalidInput", "POST bodies must be JSON, sent with Content-Type: application/json");
	}
	return std::nullopt;
}

//! A browser asking for a page is sent to the sign-in form; anything else gets a 401 saying why.
HttpResponse Refuse(const HttpRequest &request, const std::string &why) {
	if (request.method == "GET" && !Router::IsApiPath(request.path) &&
	    request.Header("accept").find("text/html") != std::string::npos) {
		HttpResponse response;
		response.status = 303;
		response.headers.emplace_back("Location", "/login");
		return response;
	}
	auto response = JsonError(401, "Unauthorized", why);
	response.headers.emplace_back("WWW-Authenticate", "Bearer");
	return response;
}

} // namespace

net::awaitable<void> RunHttpSession(net::ip::tcp::socket socket, ServerContext &context) {
	beast::tcp_stream stream(std::move(socket));
	beast::flat_buffer buffer;
	while (!context.stopping) {
		stream.expires_after(std::chrono::seconds(60));
		http::request_parser<http::string_body> parser;
		parser.body_limit(context.options.max_body_bytes);
		auto [read_error, read_bytes] =
		    co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
		if (read_error) {
			if (read_error == http::error::body_limit) {
				co_await Write(stream, parser.get(),
				               JsonError(413, "InvalidInput", "the request body is larger than the limit"));
			}
			break;
		}
		auto message = parser.release();
		auto request = ToRequest(message);
		HttpResponse response;
		auto refusal = request.path == "/healthz" || request.path == "/login"
		                   ? std::nullopt
		                   : CheckToken(context.options.access, request);
		auto misdirected = CheckHost(context.options.access, request);
		std::optional<HttpResponse> foreign;
		if (misdirected) {
			response = *misdirected;
		} else if (refusal) {
			response = Refuse(request, *refusal);
		} else if ((foreign = CheckSameSite(context.options.access, request))) {
			response = *foreign;
		} else if (request.path == "/healthz" && (request.method == "GET" || request.method == "HEAD")) {
			// Answered here, never queued behind requests: a busy server still says it is serving.
			response.body = R"({"status":"ok"})";
		} else if (beast::websocket::is_upgrade(message)) {
			auto origin = CheckOrigin(context.options.access, request);
			if (request.path != "/ws") {
				response = JsonError(404, "NotFound", "the WebSocket endpoint is /ws");
			} else if (origin) {
				response = JsonError(403, "Permission", *origin);
			} else if (context.stopping) {
				response = JsonError(503, "Busy", "the server is shutting down");
			} else {
				stream.expires_never();
				StartWebSocketSession(std::move(stream), std::move(message), context);
				co_return;
			}
		} else if (request.path == "/login") {
			response = Login(request, context.options.access);
		} else if (Router::IsApiPath(request.path)) {
			// REST handlers block on workers: they run on the request threads, never on this one.
			response = co_await net::co_spawn(
			    context.requests,
			    [&]() -> net::awaitable<HttpResponse> { co_return context.router.HandleHttp(request); },
			    net::use_awaitable);
		} else if (request.method == "GET" || request.method == "HEAD") {
			response = context.files.Serve(request);
		} else {
			response = JsonError(405, "InvalidInput", request.method + " is not allowed on " + request.path);
		}
		auto write_error = co_await Write(stream, message, std::move(response));
		if (write_error || !message.keep_alive()) {
			break;
		}
	}
	beast::error_code ignored;
	stream.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

} // namespace deltaduck::gateway
