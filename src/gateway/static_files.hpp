#pragma once

#include "gateway/http_types.hpp"

#include <filesystem>

namespace deltaduck::gateway {

//! Serves the built web app from one folder: MIME types by extension, `Cache-Control: immutable` for hashed
//! assets (`assets/name-<hash>.js`), `index.html` for client routes, a precompressed `.br` / `.gz` sibling
//! when the client accepts it, nothing outside the folder (encoded or not), and a page saying how to build
//! the app when the folder has no index.html.
class StaticFiles {
public:
	explicit StaticFiles(std::filesystem::path root);
	//! A GET or HEAD of `request.path`.
	HttpResponse Serve(const HttpRequest &request) const;

private:
	std::filesystem::path root_;
};

//! The MIME type for a file name's extension.
std::string MimeType(const std::filesystem::path &file);

} // namespace deltaduck::gateway
