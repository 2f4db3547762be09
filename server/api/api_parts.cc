#include "server/api/api_parts.h"

#include <array>
#include <boost/asio/thread_pool.hpp>

#include "core/hash.h"
#include "projections/live_projection.h"
#include "server/api/account_services.h"
#include "server/api/api.h"
#include "server/api/first_admin.h"
#include "server/api/ledger_adapters.h"
#include "server/api/session_store.h"
#include "server/http/json_log.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/last_use_tracker.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {
namespace {

// The hash of a random password nobody knows, checked when a sign-in names
// no user (SessionOptions::dummy_password_hash).
std::string dummy_password_hash(const PasswordHasher& hasher, RandomSource& random) {
  std::array<std::uint8_t, 16> password{};
  random.fill(password);
  auto hash = hasher.hash(to_hex(password));
  return hash.is_ok() ? std::move(hash).value() : std::string();
}

SessionOptions session_options(const ApiDependencies& deps) {
  SessionOptions options;
  options.dummy_password_hash = dummy_password_hash(deps.security.password_hasher, deps.random);
  options.max_failed_sign_ins_per_ip_per_minute =
      deps.options.max_failed_sign_ins_per_ip_per_minute;
  options.on_password_chosen = [&file = deps.security.initial_password](
                                   const std::string& user_id) { file.password_chosen(user_id); };
  return options;
}

}  // namespace

struct ApiParts::Pieces {
  explicit Pieces(const ApiDependencies& deps);

  // The API's own state and threads.
  SessionStore session_store_;
  SignInGuard sign_in_guard_;
  boost::asio::thread_pool blocking_threads_;  // scrypt runs here, not on I/O threads
  // Scans of the event log (GET /v1/audit, GET /v1/keys/{id}/events).
  boost::asio::thread_pool scan_threads_;
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
  AccountServices accounts_;
  // One handler object per resource.
  KeyHandlers keys_;
  UserHandlers users_;
  SessionHandlers sessions_;
  AuditHandler audit_;
  ClusterHandler cluster_;
};

ApiParts::Pieces::Pieces(const ApiDependencies& deps)
    : session_store_(deps.clock, deps.random),
      sign_in_guard_(deps.clock, deps.options.sign_in_policy),
      blocking_threads_(ApiParts::kBlockingThreads),
      scan_threads_(ApiParts::kScanThreads),
      directory_(deps.ledger.projection, deps.ledger.last_use),
      audit_source_(deps.ledger.log),
      pool_(blocking_threads_),
      scan_pool_(scan_threads_),
      auth_(deps.security.verifier, session_store_, directory_),
      answers_(deps.observers.daemon_log),
      passwords_(pool_, deps.security.password_hasher, deps.observers.password_checks),
      scans_(scan_pool_, ApiParts::kMaxQueuedScans),
      accounts_{auth_,      directory_,     deps.ledger.writer, answers_,
                passwords_, session_store_, sign_in_guard_,     deps.clock},
      keys_({deps.options.token_prefix, deps.options.api_endpoint}, auth_, directory_,
            deps.ledger.writer, answers_, audit_source_, scans_, deps.security.secret_hasher,
            deps.random),
      users_(accounts_),
      sessions_(session_options(deps), accounts_),
      audit_(auth_, audit_source_, directory_, scans_),
      cluster_(auth_, deps.cluster) {}

ApiParts::ApiParts(const ApiDependencies& deps) : pieces_(std::make_unique<Pieces>(deps)) {}

ApiParts::~ApiParts() { join_work(); }

void ApiParts::join_work() {
  pieces_->blocking_threads_.join();
  pieces_->scan_threads_.join();  // before the log they read goes
}

ApiHandlers ApiParts::handlers() {
  return {&pieces_->keys_, &pieces_->users_, &pieces_->sessions_, &pieces_->audit_,
          &pieces_->cluster_};
}

}  // namespace keyledger::server
