#pragma once

#include <string>

namespace deltaduck::gateway {

//! The OpenAPI 3.1 document of the REST API (served at /api/openapi.json; a test checks it against the router).
const std::string &OpenApiDocument();

} // namespace deltaduck::gateway
