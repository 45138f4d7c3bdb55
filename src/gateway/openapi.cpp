#include "gateway/openapi.hpp"

#include <nlohmann/json.hpp>

namespace deltaduck::gateway {

namespace {

using json = nlohmann::json;

json JsonBody(const char *description) {
	return {{"description", description}, {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
}

json ErrorResponses() {
	json error = JsonBody("An error: {\"error\": {\"type\", \"message\"}}");
	return {{"400", error}, {"401", error}, {"404", error}, {"500", error}};
}

json Operation(const char *summary, json responses, json extra = json::object()) {
	auto all = ErrorResponses();
	all.update(responses);
	json operation = {{"summary", summary}, {"responses", all}};
	operation.update(extra);
	return operation;
}

json QueryParameter(const char *name, const char *description, bool required, json schema) {
	return {{"name", name}, {"in", "query"}, {"required", required}, {"description", description}, {"schema", schema}};
}

json PathParameter(const char *name) {
	return {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}};
}

json Build() {
	json format = {{"type", "string"}, {"enum", {"csv", "parquet"}}, {"default", "csv"}};
	json download = {{"description", "The whole result as a file"},
	                 {"content", {{"text/csv", json::object()}, {"application/vnd.apache.parquet", json::object()}}}};
	json query_args = {
	    {"type", "object"},
	    {"required", {"request_query"}},
	    {"properties",
	     {{"request_query", {{"type", "string"}, {"description", "SQL; =(^)name reads the Delta table name"}}},
	      {"request_contents",
	       {{"type", "array"}, {"items", {{"type", "string"}, {"enum", {"Message", "Chart", "Table"}}}}}},
	      {"request_render", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100000}, {"default", 10}}},
	      {"keep", {{"type", "boolean"}, {"description", "hold the whole result on the server (result_id)"}}}}}};
	json ingest_args = {
	    {"type", "object"},
	    {"required", {"request_folderpath", "request_tablename"}},
	    {"properties",
	     {{"request_folderpath", {{"type", "string"}, {"description", "a folder under raw/, a file, or a SELECT"}}},
	      {"request_tablename", {{"type", "string"}}},
	      {"request_method", {{"type", "string"}, {"enum", {"overwrite", "append", "create", "ignore"}}}},
	      {"request_naive_timestamps",
	       {{"type", "string"},
	        {"enum", {"ntz", "utc"}},
	        {"description", "naive CSV timestamps as timestamp_ntz (default) or as UTC timestamp"}}}}}};
	json complete_args = {
	    {"type", "object"},
	    {"required", {"sql"}},
	    {"properties", {{"sql", {{"type", "string"}, {"description", "the editor's text up to the cursor"}}}}}};
	json paths = {
	    {"/api/query",
	     {{"post",
	       Operation("Run a query (the WebSocket querydata request_args as the body)",
	                 {{"200", JsonBody("The querydata reply: {respond_to, request_id, response_contents, data}")}},
	                 {{"requestBody",
	                   {{"required", true}, {"content", {{"application/json", {{"schema", query_args}}}}}}}})}}},
	    {"/api/ingest",
	     {{"post",
	       Operation("Load a CSV folder, a file or a query into a Delta table, as a background job",
	                 {{"202", JsonBody("{job_id, state, status_url}")}},
	                 {{"requestBody",
	                   {{"required", true}, {"content", {{"application/json", {{"schema", ingest_args}}}}}}}})}}},
	    {"/api/jobs/{id}",
	     {{"get", Operation("A background job's state, elapsed time, progress and (when finished) its reply",
	                        {{"200", JsonBody("{job_id, state, elapsed_ms, progress, reply?}")}},
	                        {{"parameters", {PathParameter("id")}}})}}},
	    {"/api/tables",
	     {{"get", Operation("The Delta tables (name, version, rows, bytes, last change) and the lineage records",
	                        {{"200", JsonBody("{tables: [...], lineage: [...]}")}})}}},
	    {"/api/tables/{name}",
	     {{"get", Operation("One Delta table: schema, protocol, history and lineage",
	                        {{"200", JsonBody("{name, version, schema, partition_columns, protocol, files, bytes, "
	                                          "history, lineage}")}},
	                        {{"parameters", {PathParameter("name")}}})}}},
	    {"/api/export",
	     {{"get", Operation("Run a query and download its whole result", {{"200", download}},
	                        {{"parameters",
	                          {QueryParameter("query", "SQL", true, {{"type", "string"}}),
	                           QueryParameter("format", "csv or parquet", false, format)}}})}}},
	    {"/api/results/{id}/export",
	     {{"get", Operation("Download a held result whole", {{"200", download}},
	                        {{"parameters",
	                          {PathParameter("id"), QueryParameter("format", "csv or parquet", false, format)}}})}}},
	    {"/api/folders",
	     {{"get", Operation("The CSV folders under raw/ that ingest loads by name",
	                        {{"200", JsonBody("{folders: [{name, files, bytes}]}")}})}}},
	    {"/api/complete",
	     {{"post",
	       Operation("DuckDB's completions for SQL text up to the cursor",
	                 {{"200", JsonBody("{suggestions: [{text, start}]}")}},
	                 {{"requestBody",
	                   {{"required", true}, {"content", {{"application/json", {{"schema", complete_args}}}}}}}})}}},
	    {"/api/workers",
	     {{"get", Operation("The workers and their state",
	                        {{"200", JsonBody("{workers: [{id, role, transport, status}]}")}})}}},
	    {"/api/openapi.json", {{"get", Operation("This document", {{"200", JsonBody("OpenAPI 3.1")}})}}},
	    {"/healthz", {{"get", Operation("200 while the server is serving", {{"200", JsonBody("{status: ok}")}})}}},
	    {"/metrics",
	     {{"get", Operation("Prometheus text exposition",
	                        {{"200", {{"description", "metrics"}, {"content", {{"text/plain", json::object()}}}}}})}}},
	};
	return {{"openapi", "3.1.0"},
	        {"info",
	         {{"title", "DeltaDuck"},
	          {"version", "1"},
	          {"description", "Delta Lake tables queried with DuckDB. The WebSocket /ws carries the same requests "
	                          "as JSON text frames {request_to, request_endpoint, request_args, request_id}."}}},
	        {"components", {{"securitySchemes", {{"token", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
	        {"security", {{{"token", json::array()}}}},
	        {"paths", paths}};
}

} // namespace

const std::string &OpenApiDocument() {
	static const std::string DOCUMENT = Build().dump(2);
	return DOCUMENT;
}

} // namespace deltaduck::gateway
