// The ledger's business rules: decide(view, command) -> event payload or
// error. Pure: the same view and command always give the same answer, and
// nothing is written. Every rejection carries a stable reason.
#pragma once

#include "core/commands.h"
#include "core/event.h"
#include "core/records.h"
#include "core/status.h"

namespace keyledger {

inline constexpr std::size_t kMaxReasonLength = 200;

StatusOr<EventPayload> decide(const LedgerView& view, const Command& command);

}  // namespace keyledger
