// keyledgerd as a whole: the Daemon owns every part of the server and runs
// them in order. A start creates nothing until it is sure to serve: it
// checks the data folder and binds every listening port first, and only
// then creates the data folder (0700), opens the ledger and the pepper, and
// creates the first admin on an empty ledger. It serves HTTP (and the
// verify port) until SIGINT/SIGTERM, then stops accepting, finishes
// in-flight requests, persists outstanding last-use records and closes the
// database cleanly.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/password_hasher.h"
#include "core/random.h"
#include "server/api/api_parts.h"
#include "server/api/first_admin.h"
#include "server/api/session_store.h"
#include "server/api/sign_in_guard.h"
#include "server/daemon/config.h"
#include "server/daemon/data_folder.h"
#include "server/daemon/io_contexts.h"
#include "server/daemon/listening_ports.h"
#include "server/daemon/metrics.h"
#include "server/daemon/open_ledger.h"
#include "server/daemon/start_failure.h"
#include "server/daemon/system_pages.h"
#include "server/http/access_log.h"
#include "server/http/connection_limiter.h"
#include "server/http/http_server.h"
#include "server/http/json_log.h"
#include "server/http/router.h"
#include "server/http/steady_timer_service.h"
#include "server/http/trusted_peers.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/last_use_tracker.h"
#include "server/verify/rate_limiter.h"
#include "server/verify/verify_port.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {

class Daemon {
 public:
  // `config` and `log` outlive the daemon. Builds only the parts that do
  // nothing until used; run() builds the others.
  Daemon(const ServerConfig& config, JsonLog& log);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Checks, binds, opens, starts, serves until SIGINT or SIGTERM, and
  // stops. Returns the process exit code: 0 after a clean stop, otherwise
  // one of start_failure.h's after the error line. Call once.
  int run();

 private:
  // The steps of run(), in order. Each step but the last two returns 0, or
  // the exit code after the error line; a refused step leaves the parts
  // built so far to the destructor.
  int check();   // nothing touched yet
  int bind();    // every listening port, before anything is created
  int open();    // the data folder, the ledger, its pepper and projection
  int start();   // the writer, the first admin, --unlock, the hot path, the api
  void serve();  // the HTTP server and the verify port, until a signal
  void stop();   // the last answers, last uses and commits

  writer::WriterOptions writer_options();
  int unlock_users();
  void make_api();
  void make_routes();
  void serve_verify_port();
  void serve_until_signalled();

  const ServerConfig& config_;
  JsonLog& log_;

  // The parts, declared in the order they are built, so destroyed in the
  // reverse order. Those that start threads, touch the disk or need the
  // ledger are empty (optional, unique_ptr) until the step that builds them.
  SystemClock clock_;
  SecureRandom random_;
  const DataFolder data_;
  const StatusOr<std::optional<std::string>> admin_password_;
  // Outlive the io_contexts: a connection still queued on one at shutdown
  // gives its slot back when the context destroys it.
  const TrustedPeers trusted_proxies_;
  ConnectionLimiter connections_;
  IoContexts contexts_;
  ListeningPorts ports_;
  std::uint16_t http_port_ = 0;  // once bound: the real port for --listen HOST:0
  OpenLedger ledger_;
  Metrics metrics_;
  std::unique_ptr<writer::GroupCommitWriter> writer_;
  PasswordHasher password_hasher_;
  const InitialPasswordFile initial_password_;
  std::optional<LastUseTracker> last_use_;
  FailureRateLimiter limiter_;
  SessionStore sessions_;
  SignInGuard sign_ins_;
  std::optional<boost::asio::thread_pool> blocking_pool_;  // scrypt runs here
  std::optional<boost::asio::thread_pool> scan_pool_;      // scans of the event log run here
  AccessLog access_log_;
  std::optional<CredentialVerifier> verifier_;
  std::optional<MetricsPage> metrics_page_;
  std::unique_ptr<ApiParts> api_;
  // The HTTP routes and what answers them beside the API.
  std::atomic<bool> ready_{false};  // /readyz: start-up finished, not yet shutting down
  std::optional<VerifyHandler> verify_handler_;
  std::optional<WriterLedgerHealth> ledger_health_;
  std::optional<SystemPages> system_pages_;
  Router router_;
  // Destroyed after the contexts stop (serve() returns then) and before
  // them (the sessions they still hold outlive their timers).
  std::optional<SteadyTimerService> timers_;
  std::optional<HttpServer> server_;
  std::unique_ptr<VerifyPort> verify_port_;
};

}  // namespace keyledger::server
