// The asynchronous verify client, for API servers that handle many requests
// at once: any thread may call verify(); requests from all callers are
// pipelined on one connection by a background I/O thread, so a busy API
// server keeps many verifications in flight without a thread each.
//
//   keyledger::client::AsyncVerifyClient client("127.0.0.1", 7070);
//   client.verify(token, ip, [](StatusOr<VerifyAnswer> answer) { ... });
//   auto future = client.verify(token, ip);   // or wait on a future
//
// Callbacks run on the client's I/O thread: keep them short and never wait
// in them for another answer of the same client. A request cut off by a lost
// connection is sent once more on a fresh connection (verification is
// idempotent); if that fails too, it completes with kUnavailable. Requests
// still pending when the client is destroyed complete with kUnavailable.
// Callbacks must not throw, and must not destroy the client.
//
// Several endpoints, in order of preference, as VerifyClient describes
// (verify_client.h): one connection at a time; the client moves to the next
// endpoint when it cannot connect, when the connection is lost, or when a
// node answers `unavailable` (that request is asked again there, with those
// sent after it); a request ends once every endpoint failed it, and the
// waiting ones once no endpoint could be connected to. Verdicts (`invalid`,
// `rateLimited`, `badRequest`) are never asked elsewhere.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/client/verify_client.h"

namespace keyledger::client {

struct AsyncVerifyOptions {
  // Requests queued or in flight at once; beyond it verify() completes at
  // once with kResourceExhausted ("too_many_pending") instead of queueing
  // without bound while keyledgerd is slow or unreachable.
  std::size_t max_pending = 65536;
  // How long requests in flight may go without any answer before the
  // connection counts as lost (a hung or unreachable-by-routing peer).
  std::chrono::milliseconds answer_timeout{10000};
  // After moving away from the first endpoint, how long until a new
  // connection tries it again (0: every new connection does).
  std::chrono::milliseconds return_to_first_after{10'000};
};

class AsyncVerifyClient {
 public:
  using Callback = std::function<void(StatusOr<VerifyAnswer>)>;

  AsyncVerifyClient(std::string host, std::uint16_t port, AsyncVerifyOptions options = {});
  // `endpoints` in order of preference; at least one.
  explicit AsyncVerifyClient(std::vector<VerifyEndpoint> endpoints,
                             AsyncVerifyOptions options = {});
  ~AsyncVerifyClient();
  AsyncVerifyClient(const AsyncVerifyClient&) = delete;
  AsyncVerifyClient& operator=(const AsyncVerifyClient&) = delete;

  // Thread-safe. `done` is called exactly once, on the I/O thread.
  void verify(std::string token, std::string client_ip, Callback done);
  std::future<StatusOr<VerifyAnswer>> verify(std::string token, std::string client_ip = {});
  // The same with every field of a query (its min_seq).
  void verify(VerifyQuery query, Callback done);
  std::future<StatusOr<VerifyAnswer>> verify(VerifyQuery query);

 private:
  class Engine;
  std::unique_ptr<Engine> engine_;
};

}  // namespace keyledger::client
