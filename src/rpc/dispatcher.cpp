#include "rpc/dispatcher.hpp"
#include "common/error.hpp"
#include "sql/pipeline.hpp"
#include "worker/reply.hpp"

#include <atomic>
#include <set>

namespace deltaduck::rpc {

std::string TargetNode(const nlohmann::json &request) {
	const auto &args = worker::Field(request, "request_args");
	const auto &node = worker::Field(args, "node");
	if (node.is_string()) {
		return node.get<std::string>();
	}
	const auto &query = worker::Field(args, "request_query");
	if (!query.is_string() || !sql::IsPipeline(query.get<std::string>())) {
		return "";
	}
	std::set<std::string> nodes;
	for (const auto &step : sql::ParsePipeline(query.get<std::string>())) {
		if (step.node) {
			nodes.insert(*step.node);
		}
	}
	if (nodes.size() > 1) {
		std::string list;
		for (const auto &name : nodes) {
			list += (list.empty() ? "" : ", ") + name;
		}
		throw InvalidInputError("a pipeline runs on one worker, but its steps name several nodes: " + list +
		                        " (send the steps for each node as a pipeline of its own)");
	}
	return nodes.empty() ? "" : *nodes.begin();
}

RoleHandler RoleHandler::Duck(worker::DuckWorker &duck) {
	return {"duck", duck.WorkerId(),
	        [&duck](const nlohmann::json &request, const worker::Send &send, const std::string &run_id) {
		        duck.Handle(request, send, run_id);
	        },
	        [&duck](const std::string &run_id) { return duck.Cancel(run_id); },
	        [&duck](const std::string &run_id) { return duck.Progress(run_id); }};
}

RoleHandler RoleHandler::Delta(worker::DeltaWorker &delta, std::string worker_id) {
	return {"delta", std::move(worker_id),
	        [&delta](const nlohmann::json &request, const worker::Send &send, const std::string &run_id) {
		        delta.Handle(request, send, run_id);
	        },
	        [&delta](const std::string &run_id) { return delta.Cancel(run_id); },
	        [&delta](const std::string &run_id) { return delta.Progress(run_id); }};
}

namespace {

class InprocDispatcher final : public Dispatcher {
public:
	InprocDispatcher(std::unique_ptr<worker::DuckWorker> duck, std::unique_ptr<worker::DeltaWorker> delta)
	    : duck_(std::move(duck)), delta_(std::move(delta)), roles_{{RoleHandler::Duck(*duck_)},
	                                                               {RoleHandler::Delta(*delta_, duck_->WorkerId())}} {
	}

	std::string Call(const std::string &role, const nlohmann::json &request, const std::string &run_id,
	                 const worker::Send &send) override {
		auto &entry = Find(role);
		auto node = TargetNode(request);
		if (!node.empty() && node != entry.handler.worker_id) {
			throw NotFoundError("no " + role + " worker named " + node + " (this server runs one, " +
			                    entry.handler.worker_id + ")");
		}
		entry.handled++;
		entry.handler.handle(request, send, run_id);
		return entry.handler.worker_id;
	}
	bool Cancel(const std::string &role, const std::string &run_id) override {
		return Find(role).handler.cancel(run_id);
	}
	std::optional<double> Progress(const std::string &role, const std::string &run_id) override {
		return Find(role).handler.progress(run_id);
	}
	nlohmann::json Workers() override {
		auto workers = nlohmann::json::array();
		for (const auto &entry : roles_) {
			workers.push_back({{"id", entry.handler.worker_id},
			                   {"role", entry.handler.role},
			                   {"transport", "inproc"},
			                   {"status", "up"},
			                   {"handled", entry.handled.load()}});
		}
		return workers;
	}

private:
	struct Role {
		RoleHandler handler;
		std::atomic<uint64_t> handled{0};
	};
	Role &Find(const std::string &role) {
		for (auto &entry : roles_) {
			if (entry.handler.role == role) {
				return entry;
			}
		}
		throw InvalidInputError("no workers of role " + role);
	}

	std::unique_ptr<worker::DuckWorker> duck_;
	std::unique_ptr<worker::DeltaWorker> delta_;
	Role roles_[2];
};

} // namespace

std::unique_ptr<Dispatcher> OpenInprocDispatcher(std::unique_ptr<worker::DuckWorker> duck,
                                                 std::unique_ptr<worker::DeltaWorker> delta) {
	return std::make_unique<InprocDispatcher>(std::move(duck), std::move(delta));
}

} // namespace deltaduck::rpc
