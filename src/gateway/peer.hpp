#pragma once

#include <cstdint>
#include <string>

namespace deltaduck::gateway {

//! A connected WebSocket client as the router sees it. Send may be called from any thread; messages to a
//! peer that has gone are dropped.
class Peer {
public:
	virtual ~Peer() = default;
	virtual uint64_t Id() const = 0;
	virtual void Send(std::string text) = 0;
	//! Closes the connection (at shutdown).
	virtual void Close() = 0;
};

} // namespace deltaduck::gateway
