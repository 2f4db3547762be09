// Where commands go to be decided and committed, as the parts that submit
// them see it: the handlers, the first admin and the last-use sink submit
// to a CommandSink without knowing the writer that implements it
// (server/writer/group_commit_writer.h), or a test's fake.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/clock.h"
#include "core/commands.h"
#include "core/event.h"
#include "core/status.h"

namespace keyledger {

// A command's event, once durable.
struct CommittedEvent {
  std::uint64_t seq = 0;
  TimeNs time_ns = 0;
  EventPayload payload;
};

// Called once with a command's committed event, or why it was not committed.
using CommitCallback = std::function<void(StatusOr<CommittedEvent>)>;

// `done` is called once, on any thread, when the command is decided and, if
// accepted, durable.
class CommandSink {
 public:
  virtual ~CommandSink() = default;
  virtual void submit(Command command, EventOrigin origin, CommitCallback done) = 0;
  // All of `commands` in one commit, or none of them.
  virtual void submit_all(std::vector<Command> commands, EventOrigin origin,
                          CommitCallback done) = 0;
};

}  // namespace keyledger
