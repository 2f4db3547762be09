// Submitting a handler's command to the writer and answering on the
// connection's I/O thread (commit_answers.h says why), shared by every
// handler that changes the ledger.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/commands.h"
#include "server/api/answer.h"
#include "server/api/ledger_ports.h"
#include "server/http/json_log.h"

namespace keyledger::server {

// Thread-safe; what it is given outlives it.
class Committer {
 public:
  Committer(CommandSink& sink, JsonLog& log) : sink_(sink), log_(log) {}

  // Builds the answer to a committed command (on the connection's thread).
  using OnCommitted = std::function<Answer(const writer::CommittedEvent&)>;

  // Submits `command` on behalf of `actor` (from the exchange's client and
  // request id); replies `on_ok(event)` once it is durable, or the refusal.
  void submit(const ExchangePtr& exchange, const std::string& actor, Command command, Reply reply,
              OnCommitted on_ok);
  // All of `commands` in one commit or none of them, then as submit(); the
  // event given to `on_ok` is the last one's.
  void submit_all(const ExchangePtr& exchange, const std::string& actor,
                  std::vector<Command> commands, Reply reply, OnCommitted on_ok);
  // A command no request waits for (a lock for failed sign-ins): a failure
  // other than "unchanged" is logged as `what`, with `fields`.
  void submit_unanswered(Command command, EventOrigin origin, std::string what, LogFields fields);

 private:
  writer::GroupCommitWriter::Callback answer(const ExchangePtr& exchange, Reply reply,
                                             OnCommitted on_ok);

  CommandSink& sink_;
  JsonLog& log_;
};

}  // namespace keyledger::server
