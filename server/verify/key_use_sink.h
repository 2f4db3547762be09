// Where the last-use tracker sends the uses it persists. On the leader it
// is WriterKeyUseSink (server/daemon/leader_parts.h): a KeyUsed event
// through the group-commit writer. A follower has no writer; its sink
// (issue 20) will carry the uses to the leader instead.
#pragma once

#include <functional>

#include "core/commands.h"
#include "core/status.h"

namespace keyledger::server {

class KeyUseSink {
 public:
  virtual ~KeyUseSink() = default;

  using Done = std::function<void(Status)>;
  // Thread-safe, and never waits for the use to be persisted. `done` runs
  // once, on any thread (possibly before submit returns), with: ok once the
  // use is persisted; kNotFound when its key is gone (the tracker forgets
  // the use); any other failure, after which the tracker sends the use
  // again at its next flush. `done` must be quick and must not submit.
  virtual void submit(RecordKeyUse use, Done done) = 0;
};

}  // namespace keyledger::server
