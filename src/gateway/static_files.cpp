#include "gateway/static_files.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

namespace deltaduck::gateway {

namespace fs = std::filesystem;

std::string MimeType(const fs::path &file) {
	static const std::map<std::string, std::string> TYPES = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".mjs", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json"},
	    {".map", "application/json"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".jpg", "image/jpeg"},
	    {".jpeg", "image/jpeg"},
	    {".gif", "image/gif"},
	    {".webp", "image/webp"},
	    {".ico", "image/x-icon"},
	    {".woff", "font/woff"},
	    {".woff2", "font/woff2"},
	    {".ttf", "font/ttf"},
	    {".eot", "application/vnd.ms-fontobject"},
	    {".txt", "text/plain; charset=utf-8"},
	    {".wasm", "application/wasm"},
	    {".webmanifest", "application/manifest+json"},
	};
	auto it = TYPES.find(file.extension().string());
	return it == TYPES.end() ? "application/octet-stream" : it->second;
}

namespace {

const char *MISSING_APP_PAGE = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DeltaDuck</title>
<style>body{background:#261e2f;color:#eee;font-family:sans-serif;max-width:44em;margin:4em auto;line-height:1.5}
code{color:#07ee7a}h1{color:#e86620}</style></head>
<body><h1>DeltaDuck is running</h1>
<p>The web dashboard has not been built, so there is nothing to show here yet.</p>
<p>Build it with <code>make run</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>), then reload
this page. Or start the server with <code>--web DIR</code> pointing at a built app.</p>
<p>The WebSocket endpoint <code>/ws</code>, the REST API under <code>/api/</code> (see
<a href="/api/openapi.json" style="color:#07ee7a">/api/openapi.json</a>) and <code>/healthz</code> work already.</p>
</body></html>
)";

//! Vite names bundled assets `name-<hash>.ext` (8+ characters of base64url with a digit or capital in them):
//! their content never changes under that name. Plain words (`apple-touch-icon-precomposed.png`) are not hashes.
bool IsHashed(const fs::path &relative) {
	static const std::regex HASHED(R"(.*[-.]([A-Za-z0-9_-]{8,})\.[a-z0-9]+$)");
	std::smatch match;
	auto name = relative.filename().string();
	if (!std::regex_match(name, match, HASHED)) {
		return false;
	}
	auto hash = match[1].str();
	return std::any_of(hash.begin(), hash.end(), [](char c) {
		return std::isdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c));
	});
}

} // namespace

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
	std::error_code error;
	auto canonical = fs::weakly_canonical(root_, error);
	if (!error) {
		root_ = canonical;
	}
}

HttpResponse StaticFiles::Serve(const HttpRequest &request) const {
	std::string decoded;
	if (!PercentDecode(request.path, decoded) || decoded.find('\0') != std::string::npos ||
	    decoded.find('\\') != std::string::npos) {
		return JsonError(400, "InvalidInput", "malformed path");
	}
	fs::path relative = fs::path(decoded).relative_path().lexically_normal();
	for (const auto &part : relative) {
		if (part == "..") {
			return JsonError(404, "NotFound", "no such file");
		}
	}
	if (!fs::is_regular_file(root_ / "index.html")) {
		HttpResponse page;
		page.status = decoded == "/" || decoded == "/index.html" ? 200 : 404;
		page.content_type = "text/html; charset=utf-8";
		page.body = MISSING_APP_PAGE;
		return page;
	}
	auto file = root_ / relative;
	std::error_code error;
	// Links inside the folder must not lead out of it either.
	auto real = fs::canonical(file, error);
	bool inside = !error && real.lexically_relative(root_).native().rfind("..", 0) != 0;
	HttpResponse response;
	if (relative.empty() || !inside || !fs::is_regular_file(real)) {
		if (!relative.empty() && relative.has_extension()) {
			return JsonError(404, "NotFound", "no such file: /" + relative.string());
		}
		// A client route (/analysis, /tables/x): the app decides what to show.
		real = root_ / "index.html";
		relative = "index.html";
	}
	response.content_type = MimeType(real);
	response.headers.emplace_back("Cache-Control",
	                              IsHashed(relative) ? "public, max-age=31536000, immutable" : "no-cache");
	response.headers.emplace_back("X-Content-Type-Options", "nosniff");
	const auto &accepted = request.Header("accept-encoding");
	for (const auto &[encoding, suffix] : {std::pair<const char *, const char *>{"br", ".br"}, {"gzip", ".gz"}}) {
		auto compressed = real;
		compressed += suffix;
		if (accepted.find(encoding) != std::string::npos && fs::is_regular_file(compressed)) {
			response.headers.emplace_back("Content-Encoding", encoding);
			real = compressed;
			break;
		}
	}
	response.headers.emplace_back("Vary", "Accept-Encoding");
	response.file = real;
	return response;
}

} // namespace deltaduck::gateway
