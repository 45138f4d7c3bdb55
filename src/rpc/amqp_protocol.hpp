#pragma once

// What gateways and workers say to each other over RabbitMQ. A request goes to a role's shared queue
// (`duck_rpc`, `delta_rpc`: any worker of the role takes it) or to one worker's own queue
// (`duck<worker id>_rpc`: pipelines' `-- node:`, and cancels). Its correlation id is the gateway's run id and
// its reply_to the gateway's exclusive reply queue. The worker answers with messages of these types, all
// with the same correlation id.

#include <string>

namespace deltaduck::rpc {

//! A request: the body is the WebSocket request object.
constexpr const char *AMQP_REQUEST = "request";
//! Cancel the run named by the correlation id (sent to the worker's own queue).
constexpr const char *AMQP_CANCEL = "cancel";
//! The worker took the request: body {"worker": id}.
constexpr const char *AMQP_STARTED = "started";
//! DuckDB's progress while it runs: body {"progress": percent}.
constexpr const char *AMQP_STATUS = "status";
//! A message for the client (progress, reply, held): the body is passed on as it is.
constexpr const char *AMQP_MESSAGE = "message";
//! The request ended: nothing more comes for it.
constexpr const char *AMQP_END = "end";

//! The queue every worker of a role consumes.
inline std::string SharedQueue(const std::string &role) {
	return role + "_rpc";
}
//! One worker's own queue (the original's `duck<worker>_rpc`).
inline std::string OwnQueue(const std::string &role, const std::string &worker_id) {
	return role + worker_id + "_rpc";
}

} // namespace deltaduck::rpc
