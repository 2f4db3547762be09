// The verify port's minSeq, on a manual clock (nothing here sleeps or
// measures time): a request for a seq this node has applied is answered as
// any other; one beyond the last seq known is answered `unavailable` at
// once; one known but not applied waits, and the requests after it on its
// connection wait behind it, so answers keep the requests' order.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/aligned_words.h"
#include "core/stream_framing.h"
#include "server/client/verify_wire.h"
#include "server/verify/verify_frames.h"
#include "tests/server/verify/verify_port_fixture.h"

using namespace keyledger;
using keyledger::client::VerifyResult;
using keyledger::testing::kGuard;
using keyledger::testing::LoopbackConnection;
using keyledger::testing::VerifyPortFixture;
using std::chrono::milliseconds;

namespace {

struct Answer {
  std::uint64_t id = 0;
  VerifyResult result = VerifyResult::kInvalid;
};

// Reads `count` answers, or fewer if the connection ends first.
std::vector<Answer> read_answers(LoopbackConnection& client, std::size_t count) {
  std::vector<Answer> answers;
  std::string buffer;
  while (answers.size() < count) {
    auto size = complete_frame_size(buffer, client::kMaxAnswerBytes);
    REQUIRE(size.is_ok());
    if (*size == 0) {
      const std::string more = client.receive_some(kGuard);
      if (more.empty()) break;
      buffer += more;
      continue;
    }
    client::VerifyAnswer answer;
    Answer read;
    REQUIRE(client::decode_verify_answer(buffer.substr(0, *size), answer, read.id).is_ok());
    read.result = answer.result;
    answers.push_back(read);
    buffer.erase(0, *size);
  }
  return answers;
}

// Nothing more arrives for a moment: what a wrongly early answer would have
// sent is written at once, before the request waits.
bool nothing_arrives(LoopbackConnection& client) {
  return client.receive_some(milliseconds(100)).empty();
}

std::string request(std::uint64_t id, std::uint64_t min_seq) {
  return client::encode_verify_request(id, "kl_no_such_key", "", min_seq);
}

}  // namespace

TEST_CASE("a verify-port request for a seq applied is answered as any other",
          "[server][verify-port][min-seq]") {
  VerifyPortFixture f;
  f.ledger.create_user("ann");  // so that seq 1 exists
  f.applied.advanced(f.ledger.log().head().seq);
  const std::uint64_t head = f.applied.applied();
  LoopbackConnection client = f.connect();
  REQUIRE(client.send(request(1, head) + request(2, 1) + request(3, 0)));
  const auto answers = read_answers(client, 3);
  REQUIRE(answers.size() == 3);
  for (std::uint64_t i = 0; i < 3; ++i) {
    CHECK(answers[i].id == i + 1);
    CHECK(answers[i].result == VerifyResult::kInvalid);  // answered: the key is no key
  }
}

TEST_CASE("a verify-port request beyond the last seq known is answered unavailable at once",
          "[server][verify-port][min-seq]") {
  VerifyPortFixture f;
  LoopbackConnection client = f.connect();
  REQUIRE(client.send(request(1, f.applied.applied() + 1) + request(2, 0)));
  const auto answers = read_answers(client, 2);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].result == VerifyResult::kUnavailable);
  CHECK(answers[1].result == VerifyResult::kInvalid);
  CHECK(f.applied.waiting() == 0);
}

TEST_CASE("a verify-port request waits for its seq, and those after it wait behind it",
          "[server][verify-port][min-seq]") {
  VerifyPortFixture f;
  const std::uint64_t next = f.applied.applied() + 1;
  f.applied.learned_last(next);
  LoopbackConnection client = f.connect();
  REQUIRE(client.send(request(1, 0) + request(2, next) + request(3, 0)));
  // The answer before the waiting request goes out at once...
  const auto before = read_answers(client, 1);
  REQUIRE(before.size() == 1);
  CHECK(before[0].id == 1);
  // ...and none after it while it waits.
  CHECK(f.applied.waiting() == 1);
  CHECK(nothing_arrives(client));
  f.applied.advanced(next);
  const auto after = read_answers(client, 2);
  REQUIRE(after.size() == 2);
  CHECK(after[0].id == 2);
  CHECK(after[0].result == VerifyResult::kInvalid);  // verified, once the seq was applied
  CHECK(after[1].id == 3);
  // The connection serves on, reading again.
  REQUIRE(client.send(request(4, next)));
  const auto later = read_answers(client, 1);
  REQUIRE(later.size() == 1);
  CHECK(later[0].id == 4);
}

TEST_CASE("a verify-port request whose seq does not come in time is answered unavailable",
          "[server][verify-port][min-seq]") {
  VerifyPortFixture f;
  const std::uint64_t next = f.applied.applied() + 1;
  f.applied.learned_last(next);
  LoopbackConnection client = f.connect();
  REQUIRE(client.send(request(1, next) + request(2, 0)));
  REQUIRE(f.timers.wait_for_deadline_within(std::chrono::seconds(1)));
  CHECK(nothing_arrives(client));
  f.timers.advance(std::chrono::seconds(1));
  const auto answers = read_answers(client, 2);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].id == 1);
  CHECK(answers[0].result == VerifyResult::kUnavailable);
  CHECK(answers[1].id == 2);
  CHECK(answers[1].result == VerifyResult::kInvalid);
  CHECK(f.applied.waiting() == 0);
}

TEST_CASE("a request without minSeq, as a client older than the field sends it, is read as none",
          "[server][verify-port][min-seq]") {
  AlignedWords<16> scratch;
  const std::string frame = client::encode_verify_request(9, "kl_x", "", 0);
  auto decoded = server::decode_verify_request(frame, scratch);
  REQUIRE(decoded.is_ok());
  CHECK(decoded->min_seq == 0);
  auto with =
      server::decode_verify_request(client::encode_verify_request(9, "kl_x", "", 77), scratch);
  REQUIRE(with.is_ok());
  CHECK(with->min_seq == 77);
}
