// Every piece of keyledgerd's API, built from the daemon's parts: the API's
// own state and threads (sessions, the sign-in guard, the blocking and scan
// pools), the thin adapters that narrow the daemon's parts, the pieces the
// handlers share (authentication, committing, password work) and one
// handler object per resource, whose /v1 routes it gives the daemon to
// register (handlers(), add_api_routes in api.h). Like main(), it only
// builds and owns; the behaviour is in the pieces.
//
// The other parts' types are named by reference only, forward-declared
// here or in first_admin.h: this header includes none of those parts.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_log.h"
#include "core/secret_hasher.h"
#include "server/api/cluster_handler.h"
#include "server/api/first_admin.h"
#include "server/api/observers.h"
#include "server/api/sign_in_guard.h"

namespace keyledger::server {

class KeyVerifier;     // server/verify/credential_verifier.h
class LastUseTracker;  // server/verify/last_use_tracker.h
struct ApiHandlers;    // server/api/api.h

// The settings the handlers read (the daemon fills them from its config).
struct ApiOptions {
  std::string token_prefix = "kl";  // new keys are <prefix>_<id>_<secret>
  unsigned max_failed_sign_ins_per_ip_per_minute = 30;
  SignInPolicy sign_in_policy;  // when failed sign-ins lock a name, and for how long
  std::string api_endpoint;     // shown to users, e.g. http://127.0.0.1:8080/v1
};

// The ledger the handlers read and write: a leader's, since only a leader
// has a writer.
struct ApiLedger {
  const projections::LiveProjection& projection;
  writer::GroupCommitWriter& writer;
  const EventLog& log;             // read by the audit trail and key histories
  const LastUseTracker& last_use;  // each key's newest use, in memory
};

// What says who may do what: the verifier of API keys, the hashers of
// passwords and of new keys' secrets, and the first admin's one-time
// password file, removed once the admin chooses their own password.
struct ApiSecurity {
  KeyVerifier& verifier;
  const PasswordHasher& password_hasher;
  const SecretHasher& secret_hasher;
  const InitialPasswordFile& initial_password;
};

// What the API's work is counted and logged by. (Requests are counted and
// logged by the HTTP server.)
struct ApiObservers {
  PasswordCheckCounter& password_checks;
  JsonLog& daemon_log;  // keyledgerd's JSON log (not the event log)
};

// The daemon's parts the API is built from; owned by the daemon, they
// outlive the ApiParts.
struct ApiDependencies {
  ApiOptions options;
  ApiLedger ledger;
  ApiSecurity security;
  ApiObservers observers;
  const Clock& clock;
  RandomSource& random;
  // GET /v1/cluster's figures (issue 20); empty: a leader without followers.
  ClusterBodySource cluster = {};
};

class ApiParts {
 public:
  // scrypt's threads (sign-ins, password changes, new users' passwords).
  static constexpr int kBlockingThreads = 2;
  // Scans have a pool of their own rather than sharing the blocking pool:
  // one audit page may read much of the log, and two of them on the
  // blocking pool's two threads would hold every sign-in's scrypt (capped
  // separately, PasswordWork::kMaxQueuedJobs) behind them. Two threads let
  // an auditor's long page and an owner's short key history run side by
  // side.
  static constexpr int kScanThreads = 2;
  // Two scans queued or running per scan thread: an admitted scan waits
  // behind at most one other on its thread, so its answer is never minutes
  // away, and at most four answers (up to 1,000 audit rows or 10,000 key
  // events each) are built at once. Beyond that, 503 server_busy with
  // Retry-After: a flood of audit requests gets refused, not queued.
  static constexpr int kMaxQueuedScans = 2 * kScanThreads;

  explicit ApiParts(const ApiDependencies& deps);
  // Waits for the jobs on its pools (join_work), which use the handlers.
  ~ApiParts();
  ApiParts(const ApiParts&) = delete;
  ApiParts& operator=(const ApiParts&) = delete;

  // The handler objects, for add_api_routes() (api.h): the ApiParts
  // outlive the router they are registered on.
  ApiHandlers handlers();
  // Finishes the jobs queued on the blocking and scan pools, then stops
  // their threads. At shutdown, once no request comes in any more.
  void join_work();

 private:
  // Every piece, built in order (api_parts.cc): the API's own state and
  // threads, the adapters of the daemon's parts, the shared pieces, one
  // handler object per resource.
  struct Pieces;

  std::unique_ptr<Pieces> pieces_;
};

}  // namespace keyledger::server
