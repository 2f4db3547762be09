#include "server/api/committer.h"

#include "server/api/commit_answers.h"

namespace keyledger::server {
namespace {

EventOrigin origin_of(const Exchange& exchange, const std::string& actor) {
  return EventOrigin{actor, exchange.client_ip, exchange.request_id};
}

}  // namespace

void Committer::submit(const ExchangePtr& exchange, const std::string& actor, Command command,
                       Reply reply, OnCommitted on_ok) {
  sink_.submit(std::move(command), origin_of(*exchange, actor),
               answer(exchange, std::move(reply), std::move(on_ok)));
}

void Committer::submit_all(const ExchangePtr& exchange, const std::string& actor,
                           std::vector<Command> commands, Reply reply, OnCommitted on_ok) {
  sink_.submit_all(std::move(commands), origin_of(*exchange, actor),
                   answer(exchange, std::move(reply), std::move(on_ok)));
}

writer::GroupCommitWriter::Callback Committer::answer(const ExchangePtr& exchange, Reply reply,
                                                      OnCommitted on_ok) {
  return answer_on_connection_thread(
      exchange, [exchange, reply = std::move(reply), on_ok = std::move(on_ok),
                 &log = log_](StatusOr<writer::CommittedEvent> result) {
        if (result.is_ok()) return reply(on_ok(*result));
        // Operators must see that changes are being refused (a full
        // disk), not only clients.
        const StatusCode code = result.status().code();
        if ((code == StatusCode::kUnavailable || code == StatusCode::kCorruption) &&
            !result.status().is(Reason::kShuttingDown))
          log.warn("change refused",
                   {{"request_id", exchange->request_id}, {"error", result.status().to_string()}});
        reply(result.status());
      });
}

void Committer::submit_unanswered(Command command, EventOrigin origin, std::string what,
                                  LogFields fields) {
  sink_.submit(std::move(command), std::move(origin),
               [&log = log_, what = std::move(what),
                fields = std::move(fields)](StatusOr<writer::CommittedEvent> result) mutable {
                 if (result.is_ok() || result.status().is(Reason::kUnchanged)) return;
                 fields["error"] = result.status().to_string();
                 log.warn(what, fields);
               });
}

}  // namespace keyledger::server
