#include "gateway/server.hpp"

#include "common/error.hpp"
#include "gateway/server_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <thread>

namespace deltaduck::gateway {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Server::Impl {
	ServerOptions options;
	Metrics metrics;
	SessionRegistry registry;
	StaticFiles files;
	net::io_context io;
	net::thread_pool requests;
	Router router;
	ServerContext context;
	tcp::acceptor acceptor;
	net::signal_set signals;
	std::mutex mutex;
	std::condition_variable stop_requested;
	bool stop = false;

	Impl(ServerOptions options_p, Dispatcher &dispatcher, std::shared_ptr<worker::HeldResults> held)
	    : options(std::move(options_p)), files(options.web_dir), io(int(options.io_threads)),
	      requests(options.request_threads),
	      router(options.router, dispatcher, std::move(held), metrics,
	             [this](std::function<void()> work) { net::post(requests, std::move(work)); }),
	      context{options, router, metrics, registry, files, requests}, acceptor(io), signals(io, SIGINT, SIGTERM) {
	}

	static net::awaitable<void> Accept(Impl &impl) {
		while (impl.acceptor.is_open()) {
			auto [error, socket] =
			    co_await impl.acceptor.async_accept(net::make_strand(impl.io), net::as_tuple(net::use_awaitable));
			if (error) {
				if (!impl.acceptor.is_open()) {
					co_return;
				}
				impl.metrics.socket_errors++;
				continue;
			}
			// Replies go out whole at once: without this a reply of a few kilobytes waits ~40 ms for the client's
			// delayed acknowledgement (Nagle).
			boost::system::error_code ignored;
			socket.set_option(tcp::no_delay(true), ignored);
			auto executor = socket.get_executor();
			net::co_spawn(executor, RunHttpSession(std::move(socket), impl.context), net::detached);
		}
	}

	void RequestStop() {
		std::lock_guard<std::mutex> lock(mutex);
		stop = true;
		stop_requested.notify_all();
	}
};

Server::Server(ServerOptions options, Dispatcher &dispatcher, std::shared_ptr<worker::HeldResults> held)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher, std::move(held))) {
}

Server::~Server() = default;

Metrics &Server::GetMetrics() {
	return impl_->metrics;
}

uint16_t Server::Listen() {
	boost::system::error_code error;
	auto address = net::ip::make_address(impl_->options.host, error);
	if (error) {
		throw InvalidInputError("not an IP address to listen on: " + impl_->options.host);
	}
	tcp::endpoint endpoint(address, impl_->options.port);
	auto &acceptor = impl_->acceptor;
	acceptor.open(endpoint.protocol());
	acceptor.set_option(net::socket_base::reuse_address(true));
	acceptor.bind(endpoint, error);
	if (error) {
		throw IOError("cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) + ": " +
		              error.message());
	}
	acceptor.listen(net::socket_base::max_listen_connections);
	return acceptor.local_endpoint().port();
}

void Server::Stop() {
	impl_->RequestStop();
}

void Server::Run() {
	auto &impl = *impl_;
	impl.signals.async_wait([&impl](const boost::system::error_code &error, int) {
		if (!error) {
			impl.RequestStop();
		}
	});
	net::co_spawn(impl.io, Impl::Accept(impl), net::detached);
	std::vector<std::thread> threads;
	for (size_t i = 0; i < impl.options.io_threads; i++) {
		threads.emplace_back([&impl] { impl.io.run(); });
	}
	{
		std::unique_lock<std::mutex> lock(impl.mutex);
		impl.stop_requested.wait(lock, [&] { return impl.stop; });
	}
	// Stop accepting, let running requests end within the grace period, cancel the rest, close every socket.
	impl.context.stopping = true;
	net::post(impl.io, [&impl] {
		boost::system::error_code ignored;
		impl.acceptor.close(ignored);
		impl.signals.cancel(ignored);
	});
	impl.router.Drain(impl.options.shutdown_grace);
	impl.registry.CloseAll();
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
	while (impl.registry.Count() > 0 && std::chrono::steady_clock::now() < deadline) {
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	impl.io.stop();
	for (auto &thread : threads) {
		thread.join();
	}
	impl.requests.join();
}

} // namespace deltaduck::gateway
