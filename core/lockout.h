// How long a sign-in lock lasts. A user (or a name nobody holds) whose
// sign-ins failed too often in a row is locked for a while, and the lock
// ends by itself: an attacker who guesses at a name can keep its owner out
// only for as long as they keep guessing, and an admin can lift it at once.
//
// The rule is one pure function, used for users in the ledger (the time is
// recorded in their UserLocked event) and for unknown names alike (kept in
// memory), so a lock says nothing about whether the name exists.
#pragma once

#include "core/clock.h"

namespace keyledger {

struct LockoutPolicy {
  // The first lock's length; each lock that begins within `max_ns` of the
  // end of the previous one lasts twice as long as that one, up to `max_ns`.
  TimeNs base_ns = 15LL * 60 * 1'000'000'000;
  TimeNs max_ns = 24LL * 60 * 60 * 1'000'000'000;
};

// What is remembered of a name's last automatic lock; zeros when none.
struct LockHistory {
  TimeNs duration_ns = 0;  // how long it was
  TimeNs until_ns = 0;     // when it ended (or ends)
};

// The length of a lock that begins at `now`, after `previous`.
TimeNs next_lockout_duration(const LockHistory& previous, TimeNs now, const LockoutPolicy& policy);

// How a lock recorded by a build from before locks ended by themselves is
// read: `UserLocked` without an end, for too many failed sign-ins, ends
// this long after it was written (the default first lock of today's rule).
inline constexpr TimeNs kLegacyLockoutNs = 15LL * 60 * 1'000'000'000;
// The reason an automatic lock records.
inline constexpr const char* kTooManyFailedSignIns = "too_many_failed_sign_ins";

}  // namespace keyledger
