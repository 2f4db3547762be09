// Every piece of keyledgerd's management API, built from the daemon's
// parts: the thin adapters that narrow them, the pieces the handlers share
// (authentication, committing, password work) and one handler object per
// resource, whose routes it registers on the HTTP server's router. Like
// main(), it only builds and owns; the behaviour is in the pieces.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_log.h"
#include "core/password_hasher.h"
#include "core/random.h"
#include "core/secret_hasher.h"
#include "projections/live_projection.h"
#include "server/api/api.h"
#include "server/api/first_admin.h"
#include "server/api/ledger_adapters.h"
#include "server/api/observers.h"
#include "server/api/session_store.h"
#include "server/api/sign_in_guard.h"
#include "server/http/json_log.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/last_use_tracker.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {

// The settings the handlers read (the daemon fills them from its config).
struct ApiOptions {
  std::string token_prefix = "kl";  // new keys are <prefix>_<id>_<secret>
  unsigned max_failed_sign_ins_per_ip_per_minute = 30;
};

// The daemon's parts the API is built from; owned by main(), they outlive
// the ApiParts.
struct ApiDependencies {
  ApiOptions options;
  projections::LiveProjection& projection;
  writer::GroupCommitWriter& writer;
  const EventLog& log;
  CredentialVerifier& verifier;
  LastUseTracker& last_use;
  SessionStore& sessions;
  SignInGuard& sign_ins;
  const PasswordHasher& password_hasher;
  const SecretHasher& secret_hasher;        // keyed hashes of new keys' secrets
  boost::asio::thread_pool& blocking_pool;  // scrypt runs here, not on I/O threads
  // Scans of the event log (GET /v1/audit, GET /v1/keys/{id}/events) run
  // here: ApiParts::kScanThreads threads.
  boost::asio::thread_pool& scan_pool;
  PasswordCheckCounter& password_checks;  // counts scrypt checks, for the metrics
  const Clock& clock;
  RandomSource& random;
  std::string api_endpoint;  // shown to users, e.g. http://127.0.0.1:8080/v1
  JsonLog& daemon_log;       // keyledgerd's JSON log (not the event log above)
  // Removed once the first admin chooses their own password.
  const InitialPasswordFile& initial_password;
};

class ApiParts {
 public:
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
  ApiParts(const ApiParts&) = delete;
  ApiParts& operator=(const ApiParts&) = delete;

  // The handler objects, for add_api_routes(): the ApiParts outlive the
  // router they are registered on.
  ApiHandlers handlers() { return {&keys_, &users_, &sessions_, &audit_}; }

 private:
  // Adapters of the daemon's parts (the writer is the CommandSink itself).
  ProjectionDirectory directory_;
  LogAuditSource audit_source_;
  ThreadPoolWork pool_;
  ThreadPoolWork scan_pool_;
  // Shared pieces.
  Authenticator auth_;
  CommitAnswers answers_;
  PasswordWork passwords_;
  BoundedWork scans_;
  // One handler object per resource.
  KeyHandlers keys_;
  UserHandlers users_;
  SessionHandlers sessions_;
  AuditHandler audit_;
};

}  // namespace keyledger::server
