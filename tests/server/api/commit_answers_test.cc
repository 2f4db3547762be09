// Answers to committed commands are built on the connection's I/O thread,
// not on the writer thread that reports the commit.
#include "server/api/commit_answers.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

using namespace keyledger;
using namespace keyledger::server;

namespace {

writer::CommittedEvent committed(std::uint64_t seq) {
  writer::CommittedEvent event;
  event.seq = seq;
  return event;
}

}  // namespace

TEST_CASE("a commit's answer runs on the connection's I/O thread", "[server][commit_answers]") {
  boost::asio::io_context io(1);
  auto work = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });

  auto exchange = std::make_shared<Exchange>();
  exchange->executor = io.get_executor();
  std::promise<std::pair<std::thread::id, std::uint64_t>> answered;
  auto callback =
      answer_on_connection_thread(exchange, [&answered](StatusOr<writer::CommittedEvent> result) {
        answered.set_value({std::this_thread::get_id(), result.is_ok() ? result->seq : 0});
      });
  // The writer's thread, here the test's own.
  callback(committed(42));
  const auto [thread, seq] = answered.get_future().get();
  CHECK(thread == io_thread.get_id());
  CHECK(seq == 42);

  work.reset();
  io_thread.join();
}

TEST_CASE("a commit's answer carries errors across the hop too", "[server][commit_answers]") {
  boost::asio::io_context io(1);
  auto exchange = std::make_shared<Exchange>();
  exchange->executor = io.get_executor();
  std::optional<Status> seen;
  auto callback = answer_on_connection_thread(
      exchange, [&seen](StatusOr<writer::CommittedEvent> result) { seen = result.status(); });
  callback(unavailable("storage_failing", "the log refuses writes"));
  CHECK_FALSE(seen.has_value());  // not run on the calling thread
  io.run();
  REQUIRE(seen.has_value());
  CHECK(seen->reason() == "storage_failing");
}

TEST_CASE("without a connection the answer runs at once", "[server][commit_answers]") {
  auto exchange = std::make_shared<Exchange>();  // no executor: a rejection or a test
  bool ran = false;
  auto callback = answer_on_connection_thread(
      exchange, [&ran](StatusOr<writer::CommittedEvent> result) { ran = result.is_ok(); });
  callback(committed(1));
  CHECK(ran);
}

TEST_CASE("an answer for a stopped I/O thread is dropped, and frees what it holds",
          "[server][commit_answers]") {
  auto exchange = std::make_shared<Exchange>();
  bool ran = false;
  {
    boost::asio::io_context io(1);
    exchange->executor = io.get_executor();
    auto callback = answer_on_connection_thread(
        exchange, [&ran](StatusOr<writer::CommittedEvent>) { ran = true; });
    callback(committed(7));
    CHECK(exchange.use_count() > 1);  // the queued answer holds the exchange
    io.stop();                        // as at shutdown: the I/O thread has stopped
    // The exchange must not keep an executor of a context that is gone.
    exchange->executor = {};
  }  // the stopped io_context is destroyed, and its queued answer with it
  CHECK_FALSE(ran);
  CHECK(exchange.use_count() == 1);
}
