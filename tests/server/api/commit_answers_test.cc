// Answers to committed commands are built on the connection's I/O thread,
// not on the writer thread that reports the commit.
#include "server/api/commit_answers.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

#include "tests/server/captured_log.h"

using namespace keyledger;
using namespace keyledger::server;

namespace {

CommittedEvent committed(std::uint64_t seq) {
  CommittedEvent event;
  event.seq = seq;
  return event;
}

// An answer that carries the committed event's seq.
Answer seq_answer(const CommittedEvent& event) { return Answer::ok({{"seq", event.seq}}); }

// Keeps what was submitted; the test calls back as the writer would.
struct RecordingSink final : CommandSink {
  std::vector<std::vector<Command>> commits;
  std::vector<EventOrigin> origins;
  std::vector<CommitCallback> callbacks;
  void submit(Command command, EventOrigin origin, CommitCallback done) override {
    submit_all({std::move(command)}, std::move(origin), std::move(done));
  }
  void submit_all(std::vector<Command> commands, EventOrigin origin, CommitCallback done) override {
    commits.push_back(std::move(commands));
    origins.push_back(std::move(origin));
    callbacks.push_back(std::move(done));
  }
};

std::shared_ptr<Exchange> request_from(std::string client_ip, std::string request_id) {
  auto exchange = std::make_shared<Exchange>();
  exchange->client_ip = std::move(client_ip);
  exchange->request_id = std::move(request_id);
  return exchange;
}

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

TEST_CASE("a request's command submitted as its actor's is answered once it is durable",
          "[server][commit_answers]") {
  keyledger::testing::CapturedLog log;
  CommitAnswers answers(log.log);
  RecordingSink sink;
  std::optional<Answer> answered;
  const ExchangePtr exchange = request_from("10.0.0.1", "req-9");
  sink.submit(DeleteKey{"k1", "alice", "gone"}, origin_of(*exchange, "alice"),
              answers.reply_on_connection_thread(
                  exchange, [&answered](Answer answer) { answered.emplace(std::move(answer)); },
                  seq_answer));
  REQUIRE(sink.commits.size() == 1);
  REQUIRE(sink.commits[0].size() == 1);
  CHECK(std::get<DeleteKey>(sink.commits[0][0]).key_id == "k1");
  CHECK(sink.origins[0] == EventOrigin{"alice", "10.0.0.1", "req-9"});
  CHECK_FALSE(answered.has_value());  // not before the writer calls back
  sink.callbacks[0](committed(5));
  REQUIRE(answered.has_value());
  CHECK(answered->body()["seq"] == 5);
}

TEST_CASE("commands submitted in one commit get their refusal as the answer",
          "[server][commit_answers]") {
  keyledger::testing::CapturedLog log;
  CommitAnswers answers(log.log);
  RecordingSink sink;
  std::optional<Answer> answered;
  const ExchangePtr exchange = request_from("10.0.0.2", "req-10");
  sink.submit_all({DisableUser{"bob", "ada"}, EnableUser{"carol"}}, origin_of(*exchange, "ada"),
                  answers.reply_on_connection_thread(
                      exchange, [&answered](Answer answer) { answered.emplace(std::move(answer)); },
                      seq_answer));
  REQUIRE(sink.commits.size() == 1);
  REQUIRE(sink.commits[0].size() == 2);
  CHECK(std::get<DisableUser>(sink.commits[0][0]).user_id == "bob");
  CHECK(std::get<EnableUser>(sink.commits[0][1]).user_id == "carol");
  CHECK(sink.origins[0] == EventOrigin{"ada", "10.0.0.2", "req-10"});
  sink.callbacks[0](failed_precondition(Reason::kUnchanged, "nothing to change"));
  REQUIRE(answered.has_value());
  REQUIRE(answered->is_failure());
  CHECK(answered->status()->is(Reason::kUnchanged));
}
