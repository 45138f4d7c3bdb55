#pragma once

#include "gateway/peer.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

namespace deltaduck::gateway {

//! The live WebSocket sessions, so that shutdown can close them all and ids stay unique.
class SessionRegistry {
public:
	uint64_t NextId() {
		return ++next_id_;
	}
	void Add(const std::shared_ptr<Peer> &peer) {
		std::lock_guard<std::mutex> lock(mutex_);
		peers_[peer->Id()] = peer;
	}
	void Remove(uint64_t id) {
		std::lock_guard<std::mutex> lock(mutex_);
		peers_.erase(id);
	}
	size_t Count() const {
		std::lock_guard<std::mutex> lock(mutex_);
		return peers_.size();
	}
	void CloseAll() {
		std::map<uint64_t, std::weak_ptr<Peer>> peers;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			peers = peers_;
		}
		for (const auto &[id, weak] : peers) {
			if (auto peer = weak.lock()) {
				peer->Close();
			}
		}
	}

private:
	mutable std::mutex mutex_;
	std::map<uint64_t, std::weak_ptr<Peer>> peers_;
	std::atomic<uint64_t> next_id_{0};
};

} // namespace deltaduck::gateway
