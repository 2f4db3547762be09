#include "server/api/commit_answers.h"

#include <boost/asio/post.hpp>

namespace keyledger::server {

EventOrigin origin_of(const Exchange& exchange, const std::string& actor) {
  return EventOrigin{actor, exchange.client_ip, exchange.request_id};
}

CommitCallback CommitAnswers::reply_on_connection_thread(ExchangePtr exchange, Reply reply,
                                                         OnCommitted on_ok) const {
  auto answer = [exchange, reply = std::move(reply), on_ok = std::move(on_ok),
                 &log = log_](StatusOr<CommittedEvent> result) {
    if (result.is_ok()) return reply(on_ok(*result));
    // Operators must see that changes are being refused (a full disk),
    // not only clients.
    const StatusCode code = result.status().code();
    if ((code == StatusCode::kUnavailable || code == StatusCode::kCorruption) &&
        !result.status().is(Reason::kShuttingDown))
      log.warn("change refused",
               {{"request_id", exchange->request_id}, {"error", result.status().to_string()}});
    reply(result.status());
  };
  return [exchange = std::move(exchange),
          answer = std::move(answer)](StatusOr<CommittedEvent> result) mutable {
    if (!exchange->executor) return answer(std::move(result));
    const auto executor = exchange->executor;
    boost::asio::post(executor, [answer = std::move(answer), result = std::move(result)]() mutable {
      answer(std::move(result));
    });
  };
}

CommitCallback CommitAnswers::log_failure(std::string what, LogFields fields) const {
  return [&log = log_, what = std::move(what),
          fields = std::move(fields)](StatusOr<CommittedEvent> result) mutable {
    if (result.is_ok() || result.status().is(Reason::kUnchanged)) return;
    fields["error"] = result.status().to_string();
    log.warn(what, fields);
  };
}

}  // namespace keyledger::server
