// What the single writer needs from the current state, declared in core so
// that the writer (server/writer) can drive it without knowing projections.
//
// The writer decides a batch of commands one after another; each must see
// the events staged before it in the same batch, and the batch becomes
// visible to readers only once it is durable:
//
//   decide(c1) → stage(e1) → decide(c2) → stage(e2) → … → append → publish
//                                                       └ failed → discard
#pragma once

#include <vector>

#include "core/commands.h"
#include "core/event.h"
#include "core/event_log.h"
#include "core/status.h"

namespace keyledger {

class CommandStateMachine {
 public:
  virtual ~CommandStateMachine() = default;

  // Decides `command` against the published state plus everything staged.
  virtual StatusOr<EventPayload> decide(const Command& command) const = 0;
  // Folds a decided event into the staged state.
  virtual void stage(const Event& event) = 0;
  // The persisted-projection changes of everything staged.
  virtual std::vector<RecordChange> staged_changes() const = 0;
  // Makes the staged state visible to readers (after a durable append).
  virtual void publish() = 0;
  // Drops the staged state (after a failed append).
  virtual void discard() = 0;
};

}  // namespace keyledger
