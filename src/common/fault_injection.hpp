#pragma once

namespace deltaduck {

//! A named point where tests may stop the process: when $DELTADUCK_FAULT equals `name`, the process kills
//! itself with SIGKILL there, as a crash at that exact moment would (only once across processes when
//! $DELTADUCK_FAULT_ONCE names a file to create). Costs a comparison otherwise.
void FaultPoint(const char *name);

} // namespace deltaduck
