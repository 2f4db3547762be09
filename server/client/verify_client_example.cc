// Example: verify API keys from an API server with the client library.
//   keyledger_verify_example HOST PORT TOKEN [TOKEN…]
// Prints one line per token: "ok <user> <privilege> <key id>" or the
// reason it was refused. Several tokens are sent pipelined in one batch.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "server/client/verify_client.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s HOST PORT TOKEN [TOKEN...]\n", argv[0]);
    return 2;
  }
  keyledger::client::VerifyClient client(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])));
  std::vector<keyledger::client::VerifyQuery> queries;
  for (int i = 3; i < argc; ++i) queries.push_back({argv[i], ""});
  auto answers = client.verify_many(queries);
  if (!answers.is_ok()) {
    std::fprintf(stderr, "verify failed: %s\n", answers.status().message().c_str());
    return 1;
  }
  for (const auto& answer : *answers) {
    switch (answer.result) {
      case keyledger::client::VerifyResult::kOk:
        std::printf("ok %s %s %s\n", answer.user_id.c_str(), answer.privilege.c_str(),
                    answer.key_id.c_str());
        break;
      case keyledger::client::VerifyResult::kRateLimited:
        std::printf("rate-limited (retry after %u s)\n", answer.retry_after_seconds);
        break;
      case keyledger::client::VerifyResult::kBadRequest:
        std::printf("bad request\n");
        break;
      case keyledger::client::VerifyResult::kUnavailable:
        std::printf("unavailable (ask another node)\n");
        break;
      case keyledger::client::VerifyResult::kInvalid:
        std::printf("invalid\n");
        break;
    }
  }
  return 0;
}
