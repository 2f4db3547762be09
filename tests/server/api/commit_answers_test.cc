// Answers to committed commands are built on the connection's I/O thread,
// not on the writer thread that reports the commit.
#include "server/api/commit_answers.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "tests/server/captured_log.h"

using namespace keyledger;
using namespace keyledger::server;

namespace {

writer::CommittedEvent committed(std::uint64_t seq) {
  writer::CommittedEvent event;
  event.seq = seq;
  return event;
}

// An answer that carries the committed event's seq.
Answer seq_answer(const writer::CommittedEvent& event) { return Answer::ok({{"seq", event.seq}}); }

}  // namespace

TEST_CASE("a commit's answer runs on the connection's I/O thread", "[server][commit_answers]") {
  keyledger::testing::CapturedLog log;
  CommitAnswers answers(log.log);
  boost::asio::io_context io(1);
  auto work = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });

  auto exchange = std::make_shared<Exchange>();
  exchange->executor = io.get_executor();
  std::promise<std::pair<std::thread::id, std::uint64_t>> answered;
  auto callback = answers.reply_on_connection_thread(
      exchange,
      [&answered](Answer answer) {
        answered.set_value({std::this_thread::get_id(),
                            answer.is_failure() ? 0 : answer.body()["seq"].get<int>()});
      },
      seq_answer);
  // The writer's thread, here the test's own.
  callback(committed(42));
  const auto [thread, seq] = answered.get_future().get();
  CHECK(thread == io_thread.get_id());
  CHECK(seq == 42);

  work.reset();
  io_thread.join();
}

TEST_CASE("a commit's answer carries errors across the hop too", "[server][commit_answers]") {
  keyledger::testing::CapturedLog log;
  CommitAnswers answers(log.log);
  boost::asio::io_context io(1);
  auto exchange = std::make_shared<Exchange>();
  exchange->executor = io.get_executor();
  std::optional<Status> seen;
  auto callback = answers.reply_on_connection_thread(
      exchange, [&seen](Answer answer) { seen = *answer.status(); }, seq_answer);
  callback(unavailable(Reason::kStorageUnavailable, "the log refuses writes"));
  CHECK_FALSE(seen.has_value());  // not run on the calling thread
  io.run();
  REQUIRE(seen.has_value());
  CHECK(seen->is(Reason::kStorageUnavailable));
  // Operators see refusals by storage, not only clients.
  REQUIRE(log.lines().size() == 1);
  CHECK(log.lines()[0]["msg"] == "change refused");
}

TEST_CASE("without a connection the answer runs at once", "[server][commit_answers]") {
  keyledger::testing::CapturedLog log;
  CommitAnswers answers(log.log);
  auto exchange = std::make_shared<Exchange>();  // no executor: a rejection or a test
  bool ran = false;
  auto callback = answers.reply_on_connection_thread(
      exchange, [&ran](Answer answer) { ran = !answer.is_failure(); }, seq_answer);
  callback(committed(1));
  CHECK(ran);
}

TEST_CASE("an answer for a stopped I/O thread is dropped, and frees what it holds",
          "[server][commit_answers]") {
  keyledger::testing::CapturedLog log;
  CommitAnswers answers(log.log);
  auto exchange = std::make_shared<Exchange>();
  bool ran = false;
  {
    boost::asio::io_context io(1);
    exchange->executor = io.get_executor();
    auto callback = answers.reply_on_connection_thread(
        exchange, [&ran](Answer) { ran = true; }, seq_answer);
    callback(committed(7));
    CHECK(exchange.use_count() > 1);  // the queued answer holds the exchange
    io.stop();                        // as at shutdown: the I/O thread has stopped
    // The exchange must not keep an executor of a context that is gone.
    exchange->executor = {};
  }  // the stopped io_context is destroyed, and its queued answer with it
  CHECK_FALSE(ran);
  CHECK(exchange.use_count() == 1);
}

TEST_CASE("a command no request waits for logs its failure, but not an unchanged one",
          "[server][commit_answers]") {
  keyledger::testing::CapturedLog log;
  CommitAnswers answers(log.log);
  answers.log_failure("recording a lock failed", {{"user", "alice"}})(committed(3));
  answers.log_failure("recording a lock failed", {{"user", "alice"}})(
      failed_precondition(Reason::kUnchanged, "the user is locked already"));
  CHECK(log.lines().empty());
  answers.log_failure("recording a lock failed", {{"user", "alice"}})(
      unavailable(Reason::kStorageUnavailable, "the log refuses writes"));
  REQUIRE(log.lines().size() == 1);
  CHECK(log.lines()[0]["msg"] == "recording a lock failed");
  CHECK(log.lines()[0]["user"] == "alice");
}
