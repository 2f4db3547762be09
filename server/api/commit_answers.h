// How a handler hears back from the writer. A handler submits its command
// to the CommandSink (the group-commit writer) as the caller's (origin_of)
// with a callback made here (reply_on_connection_thread).
// The writer calls back on its own thread, the one every change waits for;
// it should only decide, append and publish. Building the JSON answer,
// counting metrics and writing the access log for every command there took
// a third of its time under 64 clients creating keys (perf), so the answer
// hops back to the I/O thread of the request's connection first.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/command_sink.h"
#include "core/commands.h"
#include "server/api/answer.h"
#include "server/http/json_log.h"

namespace keyledger::server {

// Who caused a request's command: `actor`, from the exchange's client and
// request id.
EventOrigin origin_of(const Exchange& exchange, const std::string& actor);

// Thread-safe; `log` outlives it.
class CommitAnswers {
 public:
  explicit CommitAnswers(JsonLog& log) : log_(log) {}

  // Builds the answer to a committed command (on the connection's thread).
  using OnCommitted = std::function<Answer(const CommittedEvent&)>;

  // The writer callback for a request's command: on `exchange`'s I/O
  // thread (Exchange::executor), or at once on the calling thread when the
  // exchange has no connection, it replies `on_ok(event)` once the command
  // is durable, or the refusal; a refusal by storage is logged too. If that
  // I/O thread has stopped (the server is shutting down), the answer is
  // dropped unrun, as the connection that would have carried it is.
  CommitCallback reply_on_connection_thread(ExchangePtr exchange, Reply reply,
                                            OnCommitted on_ok) const;
  // The writer callback for a command no request waits for (a lock for
  // failed sign-ins): a failure other than "unchanged" is logged as
  // `what`, with `fields`.
  CommitCallback log_failure(std::string what, LogFields fields) const;

 private:
  JsonLog& log_;
};

}  // namespace keyledger::server
