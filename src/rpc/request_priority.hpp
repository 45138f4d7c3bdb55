#pragma once

#include <chrono>
#include <sys/types.h>

namespace deltaduck::rpc {

//! How long a request runs at normal priority. Past it, its thread yields the CPU to shorter requests on the
//! same host: a dashboard's quick queries stay quick while a long one runs (each worker runs a request on a
//! thread of its own, and DuckDB limited to one thread runs it on that thread).
constexpr std::chrono::seconds DEMOTE_AFTER{1};

//! The calling thread's kernel id.
pid_t CurrentThreadId();

//! Lowers a thread's scheduling priority (nice +10). The thread ends with its request, so nothing restores it.
void DemoteThread(pid_t thread_id);

} // namespace deltaduck::rpc
