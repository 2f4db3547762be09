// A VerifyPort over a real ledger, on a manual clock, for tests that move
// time themselves (tests/server/manual_timer_service.h).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/token.h"
#include "server/daemon/leader_parts.h"
#include "server/daemon/metrics.h"
#include "server/http/connection_limiter.h"
#include "server/verify/applied_seq.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/verify_port.h"
#include "tests/server/captured_log.h"
#include "tests/server/manual_timer_service.h"
#include "tests/support/loopback.h"
#include "tests/support/test_ledger.h"

namespace keyledger::testing {

// How long a client waits for what the server does at once; reached only
// when the server is broken.
inline constexpr std::chrono::milliseconds kGuard{20'000};
inline constexpr std::chrono::nanoseconds kTick{1};

// A VerifyPort with the default limits (idle 300 s, I/O 30 s) over a real
// ledger, on a manual clock, served by one thread of its own.
struct VerifyPortFixture {
  VerifyPortFixture() {
    const Status listening = port.listen({boost::asio::ip::make_address("127.0.0.1"), 0});
    if (!listening.is_ok()) throw std::runtime_error(listening.to_string());
    runner = std::thread([this] { io.run(); });
  }
  ~VerifyPortFixture() {
    io.stop();
    if (runner.joinable()) runner.join();
  }

  // Once every connection is closed: lets the server finish what it still
  // has queued (a closed session's last handler logs why it closed) and
  // stop. The log may be read after.
  void drain() {
    port.stop_accepting();
    runner.join();
  }

  LoopbackConnection connect() {
    return LoopbackConnection("127.0.0.1", port.local_endpoint().port());
  }

  // The reasons given for the connections closed as bad, once stopped.
  std::vector<std::string> drop_reasons() const {
    std::vector<std::string> reasons;
    for (const auto& line : log.lines())
      if (line["msg"] == "verify port: closing a connection") reasons.push_back(line["why"]);
    return reasons;
  }

  TestLedger ledger;
  SecretHasher hasher = *SecretHasher::create(std::string(32, 'p'));
  server::WriterKeyUseSink uses{ledger.writer()};
  server::LastUseTracker tracker{uses, ledger.projection(), ledger.clock(), std::chrono::hours(1)};
  server::FailureRateLimiter limiter{ledger.clock(), 100};
  server::CredentialVerifier verifier{ledger.projection(),
                                      hasher,
                                      tracker,
                                      limiter,
                                      ledger.clock(),
                                      std::string(kDefaultTokenPrefix)};
  server::VerifyPortCounters counters;
  // Declared before `io`: sessions still pending at the end are destroyed
  // with it and give their slots back.
  server::ConnectionLimiter connections{server::ConnectionLimits{}};
  CapturedLog log;
  server::VerifyPortLimits limits;
  boost::asio::io_context io;
  ManualTimerService timers{{&io}};
  // Requests with a minSeq wait at most 1 s of the manual clock.
  server::AppliedSeq applied{std::chrono::seconds(1), ledger.log().head().seq};
  server::VerifyPort port{io, verifier, applied, connections, timers, counters, log.log, limits};
  std::thread runner;
};

}  // namespace keyledger::testing
