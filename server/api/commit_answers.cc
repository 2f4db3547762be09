#include "server/api/commit_answers.h"

#include <boost/asio/post.hpp>

namespace keyledger::server {

writer::GroupCommitWriter::Callback answer_on_connection_thread(
    std::shared_ptr<Exchange> exchange, writer::GroupCommitWriter::Callback answer) {
  return [exchange = std::move(exchange),
          answer = std::move(answer)](StatusOr<writer::CommittedEvent> result) mutable {
    if (!exchange->executor) return answer(std::move(result));
    const auto executor = exchange->executor;
    boost::asio::post(executor,
                      [exchange = std::move(exchange), answer = std::move(answer),
                       result = std::move(result)]() mutable { answer(std::move(result)); });
  };
}

}  // namespace keyledger::server
