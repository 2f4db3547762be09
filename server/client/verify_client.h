// keyledger's verify client: what an API server links to check presented
// keys against keyledgerd's binary verify port (--verify-listen).
//
//   keyledger::client::VerifyClient client("127.0.0.1", 7070);
//   auto answer = client.verify(token, request_client_ip);
//   if (answer.is_ok() && answer->valid()) { /* answer->user_id, ->privilege */ }
//
// verify() sends one request and waits; verify_many() pipelines a batch on
// the one connection (all requests written, then all answers read), which is
// how to reach high rates. Both reconnect once if the connection was lost.
// A client is not thread-safe: use one per thread, or guard it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace keyledger::client {

// kUnavailable: the node cannot answer now (a follower past its
// --max-staleness); it says nothing of the key: ask another node.
enum class VerifyResult { kOk, kInvalid, kRateLimited, kBadRequest, kUnavailable };

// One answer. Fields other than `result` are set only for the result they
// name and are empty (0) otherwise: a refused key has no user, privilege
// or key id.
struct VerifyAnswer {
  VerifyResult result = VerifyResult::kInvalid;
  std::string user_id;                    // when ok
  std::string privilege;                  // "user", "auditor" or "admin", when ok
  std::string key_id;                     // when ok
  std::uint32_t retry_after_seconds = 0;  // when rate limited: when this client may fail again
  bool valid() const { return result == VerifyResult::kOk; }
};

struct VerifyQuery {
  std::string token;
  std::string client_ip;  // empty: keyledgerd uses this connection's address
};

class VerifyClient {
 public:
  VerifyClient(std::string host, std::uint16_t port);
  ~VerifyClient();
  VerifyClient(VerifyClient&&) noexcept;
  VerifyClient& operator=(VerifyClient&&) noexcept;

  // kUnavailable when keyledgerd cannot be reached (after one reconnect).
  StatusOr<VerifyAnswer> verify(const std::string& token, const std::string& client_ip = {});
  // Answers in the order of `queries`.
  StatusOr<std::vector<VerifyAnswer>> verify_many(std::span<const VerifyQuery> queries);

 private:
  class Connection;
  StatusOr<std::vector<VerifyAnswer>> exchange(std::span<const VerifyQuery> queries);

  std::string host_;
  std::uint16_t port_;
  std::uint64_t next_id_ = 1;
  std::unique_ptr<Connection> connection_;
};

}  // namespace keyledger::client
