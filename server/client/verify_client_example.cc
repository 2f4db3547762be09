// Example: verify API keys from an API server with the client library.
//   keyledger_verify_example [--min-seq SEQ] HOST:PORT[,HOST:PORT…] TOKEN [TOKEN…]
// The endpoints are tried in order: list the nearest node (a follower) first
// and the others after it, the leader last. With --min-seq (a write's
// KeyLedger-Seq), only a node that has applied that seq answers. Prints one
// line per token: "ok <user> <privilege> <key id>" or the reason it was
// refused. Several tokens are sent pipelined in one batch.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "server/client/verify_client.h"

namespace {

int usage(const char* program) {
  std::fprintf(stderr, "usage: %s [--min-seq SEQ] HOST:PORT[,HOST:PORT...] TOKEN [TOKEN...]\n",
               program);
  return 2;
}

void print(const keyledger::client::VerifyAnswer& answer) {
  using keyledger::client::VerifyResult;
  switch (answer.result) {
    case VerifyResult::kOk:
      std::printf("ok %s %s %s\n", answer.user_id.c_str(), answer.privilege.c_str(),
                  answer.key_id.c_str());
      return;
    case VerifyResult::kRateLimited:
      std::printf("rate-limited (retry after %u s)\n", answer.retry_after_seconds);
      return;
    case VerifyResult::kBadRequest:
      std::printf("bad request\n");
      return;
    case VerifyResult::kUnavailable:
      std::printf("unavailable (no node has reached --min-seq, or every one is stale)\n");
      return;
    case VerifyResult::kInvalid:
      std::printf("invalid\n");
      return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int next = 1;
  std::uint64_t min_seq = 0;
  if (argc > 2 && std::strcmp(argv[1], "--min-seq") == 0) {
    const std::string_view text = argv[2];
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), min_seq);
    if (error != std::errc() || end != text.data() + text.size()) return usage(argv[0]);
    next = 3;
  }
  if (argc - next < 2) return usage(argv[0]);
  auto endpoints = keyledger::client::parse_verify_endpoints(argv[next]);
  if (!endpoints.is_ok()) {
    std::fprintf(stderr, "%s\n", endpoints.status().message().c_str());
    return usage(argv[0]);
  }
  keyledger::client::VerifyClient client(std::move(endpoints).value());
  std::vector<keyledger::client::VerifyQuery> queries;
  for (int i = next + 1; i < argc; ++i) queries.push_back({argv[i], "", min_seq});
  auto answers = client.verify_many(queries);
  if (!answers.is_ok()) {
    std::fprintf(stderr, "verify failed: %s\n", answers.status().message().c_str());
    return 1;
  }
  for (const auto& answer : *answers) print(answer);
  return 0;
}
