// Compares two ledger states field by field, including each owner's key
// order (which LedgerState::operator== does not cover), and describes the
// first differences in words for a test failure message.
#pragma once

#include <string>

#include "projections/ledger_state.h"

namespace keyledger::testing {

// Empty when `a` and `b` are the same state; otherwise a description of
// (at most a few of) the differences, naming `a_name` and `b_name`.
std::string state_difference(const projections::LedgerState& a, const projections::LedgerState& b,
                             const std::string& a_name = "a", const std::string& b_name = "b");

}  // namespace keyledger::testing
