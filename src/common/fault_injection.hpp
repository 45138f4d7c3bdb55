#pragma once

namespace deltaduck {

//! A named point where tests may make things fail: when $DELTADUCK_FAULT equals `name`, the process kills
//! itself with SIGKILL there, as a crash at that exact moment would (only once across processes when
//! $DELTADUCK_FAULT_ONCE names a file to create); when it equals `name:throw`, an IOError is thrown there, as
//! a failed write would. Costs a look at the environment otherwise.
void FaultPoint(const char *name);

} // namespace deltaduck
