#include "common/error.hpp"
#include "gateway/dispatcher.hpp"

#include <atomic>

namespace deltaduck::gateway {

namespace {

class InprocDispatcher final : public Dispatcher {
public:
	InprocDispatcher(std::unique_ptr<worker::DuckWorker> duck, std::unique_ptr<worker::DeltaWorker> delta)
	    : duck_(std::move(duck)), delta_(std::move(delta)) {
	}

	void Call(const std::string &role, const nlohmann::json &request, const std::string &run_id,
	          const worker::Send &send) override {
		auto &handled = role == "duck" ? duck_handled_ : delta_handled_;
		handled++;
		if (role == "duck") {
			duck_->Handle(request, send, run_id);
		} else if (role == "delta") {
			delta_->Handle(request, send, run_id);
		} else {
			throw InvalidInputError("no workers of role " + role);
		}
	}
	bool Cancel(const std::string &role, const std::string &run_id) override {
		return role == "duck" ? duck_->Cancel(run_id) : delta_->Cancel(run_id);
	}
	std::optional<double> Progress(const std::string &role, const std::string &run_id) override {
		return role == "duck" ? duck_->Progress(run_id) : delta_->Progress(run_id);
	}
	nlohmann::json Workers() override {
		return nlohmann::json::array({
		    {{"id", duck_->WorkerId()},
		     {"role", "duck"},
		     {"transport", "inproc"},
		     {"status", "up"},
		     {"handled", duck_handled_.load()}},
		    {{"id", duck_->WorkerId()},
		     {"role", "delta"},
		     {"transport", "inproc"},
		     {"status", "up"},
		     {"handled", delta_handled_.load()}},
		});
	}

private:
	std::unique_ptr<worker::DuckWorker> duck_;
	std::unique_ptr<worker::DeltaWorker> delta_;
	std::atomic<uint64_t> duck_handled_{0};
	std::atomic<uint64_t> delta_handled_{0};
};

} // namespace

std::unique_ptr<Dispatcher> OpenInprocDispatcher(std::unique_ptr<worker::DuckWorker> duck,
                                                 std::unique_ptr<worker::DeltaWorker> delta) {
	return std::make_unique<InprocDispatcher>(std::move(duck), std::move(delta));
}

} // namespace deltaduck::gateway
