// The HTTP API of keyledgerd: routing, authentication and the handlers of
// every /v1 call and the operational endpoints. Handlers translate between
// HTTP/JSON and core commands; the rules themselves live in core.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/event_log.h"
#include "core/password_hasher.h"
#include "core/random.h"
#include "core/secret_hasher.h"
#include "projections/live_projection.h"
#include "server/api/first_admin.h"
#include "server/api/metrics.h"
#include "server/api/session_store.h"
#include "server/api/sign_in_guard.h"
#include "server/http/access_log.h"
#include "server/http/http_server.h"
#include "server/http/request_ids.h"
#include "server/http/responses.h"
#include "server/http/router.h"
#include "server/http/trusted_peers.h"
#include "server/verify/credential_verifier.h"
#include "server/verify/last_use_tracker.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {

// The settings the handlers read (the daemon fills them from its config).
struct ApiOptions {
  std::string token_prefix = "kl";           // new keys are <prefix>_<id>_<secret>
  std::vector<std::string> trusted_proxies;  // whose X-Forwarded-For is believed
  unsigned max_failed_sign_ins_per_ip_per_minute = 30;
};

// Everything the handlers use; owned by main(), which outlives the Api.
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
  Metrics& metrics;
  AccessLog& access_log;
  const Clock& clock;
  RandomSource& random;
  std::string api_endpoint;  // shown to users, e.g. http://127.0.0.1:8080/v1
  JsonLog& daemon_log;       // keyledgerd's JSON log (not the event log above)
  // Removed once the first admin chooses their own password.
  const InitialPasswordFile& initial_password;
};

// Who is calling, once authenticated.
struct Caller {
  std::string user_id;
  Privilege privilege = Privilege::kUser;
  std::string key_id;  // when authenticated with an API key
  bool via_session = false;
  // The user's password is one-time (the first admin's, from the first
  // start, or given by an administrator): only the calls that choose another are open.
  bool must_change_password = false;
};

class Api final : public RequestHandler {
 public:
  explicit Api(ApiDependencies deps);

  void handle(std::shared_ptr<Exchange> exchange, Respond respond) override;
  HttpResponse reject(std::string_view code, unsigned status, const HttpRequest* partial,
                      std::string_view client_ip) override;

  // Readiness: false until start-up finished and again while shutting down.
  void set_ready(bool ready) { ready_.store(ready); }
  // Requests read but not yet answered.
  int in_flight() const { return in_flight_.load(); }
  const Router& router() const { return router_; }

 private:
  using ExchangePtr = std::shared_ptr<Exchange>;

  // One row per route. This table alone drives both the router and
  // api_route_table(), so the published API description can be checked
  // against what is really served.
  // Route tags (Router::add). kOpenBeforePasswordChange: a caller whose
  // password is one-time may call the route (choosing another, asking who
  // one is, signing out); every other session call answers 403
  // password_change_required.
  static constexpr std::uint32_t kOpenBeforePasswordChange = 1;
  struct RouteEntry {
    http::verb method;
    std::string_view pattern;
    void (Api::*handler)(ExchangePtr, Respond);
    std::uint32_t tags = 0;
  };
  static std::span<const RouteEntry> route_entries();
  friend std::vector<std::pair<std::string, std::string>> api_route_table();

  void add_routes();
  void prepare(Exchange& exchange);

  // Authentication: an API key header, or a session cookie (with the CSRF
  // token for state-changing requests). kUnauthenticated / kPermissionDenied.
  // `retry_after`, if given, receives the seconds a rate-limited client must
  // wait (with kResourceExhausted).
  StatusOr<Caller> authenticate(Exchange& exchange, std::int64_t* retry_after);
  // authenticate() and check `minimum` privilege; responds on failure.
  std::optional<Caller> require(Exchange& exchange, const Respond& respond,
                                std::optional<Privilege> minimum = std::nullopt);
  // Submits a command as `caller`; on success answers `on_ok(event)`.
  void submit(const ExchangePtr& exchange, const Caller& caller, Command command, Respond respond,
              std::function<HttpResponse(const writer::CommittedEvent&)> on_ok);
  // Runs `job` on the blocking pool unless too much password work is
  // queued already; then answers 503 and returns false.
  bool post_password_job(const ExchangePtr& exchange, const Respond& respond,
                         std::function<void()> job);
  // Parses the JSON body or responds with the error.
  std::optional<Json> body(Exchange& exchange, const Respond& respond,
                           std::initializer_list<std::string_view> allowed);

  // Sessions (api_session.cc)
  void login(ExchangePtr exchange, Respond respond);
  void logout(ExchangePtr exchange, Respond respond);
  void session(ExchangePtr exchange, Respond respond);
  void change_password(ExchangePtr exchange, Respond respond);
  // Counts a wrong password for the name `user_id` (`user` is its user, or
  // null when nobody holds it); answers `status` (401 sign-in, 400 password
  // change) or, at the limit, locks the name and answers 423.
  void record_failed_password(const ExchangePtr& exchange, const std::string& user_id,
                              const UserRecord* user, const Respond& respond, unsigned status);
  // scrypt's check, counted (keyledger_password_checks_total) so tests can
  // see that a name nobody holds costs the same work as a user's.
  bool check_password(const std::string& password, const std::string& stored);
  // Whether `name` may not sign in now: locked in the ledger (`user`) or in
  // the sign-in guard's memory.
  bool sign_in_locked(const std::string& name, const UserRecord* user) const;
  HttpResponse locked_response(Exchange& exchange) const;
  // Keys (api_keys.cc)
  void credentials(ExchangePtr exchange, Respond respond);
  void create_key(ExchangePtr exchange, Respond respond);
  void rename_key(ExchangePtr exchange, Respond respond);
  void delete_key(ExchangePtr exchange, Respond respond);
  void key_events(ExchangePtr exchange, Respond respond);
  void verify(ExchangePtr exchange, Respond respond);
  Json key_json(const KeyRecord& key) const;
  // Users and audit (api_users.cc)
  void create_user(ExchangePtr exchange, Respond respond);
  void update_user(ExchangePtr exchange, Respond respond);
  void list_users(ExchangePtr exchange, Respond respond);
  void audit(ExchangePtr exchange, Respond respond);
  // Operations (api_system.cc)
  void healthz(ExchangePtr exchange, Respond respond);
  void readyz(ExchangePtr exchange, Respond respond);
  void metrics(ExchangePtr exchange, Respond respond);

  ApiDependencies deps_;
  const TrustedPeers trusted_proxies_;  // from deps_.options.trusted_proxies
  // Checked when a sign-in names no user, so that answering takes as long
  // as for a real user and does not reveal which users exist.
  std::string dummy_password_hash_;
  Router router_;
  RequestIds request_ids_;
  std::atomic<bool> ready_{false};
  std::atomic<int> in_flight_{0};
  // scrypt work waiting for or running on the blocking pool; beyond the cap
  // new password work is refused (503) so a flood cannot queue up minutes
  // of hashing in front of real sign-ins.
  std::atomic<int> password_jobs_{0};
  // Failed sign-ins per client IP, on top of the per-user lock.
  FailureRateLimiter sign_in_failures_;
};

// (method, pattern) of every route keyledgerd serves, e.g. ("GET",
// "/v1/keys/{id}/events"), in registration order, the web pages that
// /openapi.json describes included (server/web/web_pages.h; the panel's
// files are not API routes). GET routes also answer HEAD. The test that
// keeps /openapi.json in step with the code uses it.
std::vector<std::pair<std::string, std::string>> api_route_table();

// The API key a request presents, in MC-Api-Key or as "Authorization:
// Bearer <token>". A request that names two keys is ambiguous: which one
// is meant cannot be known, so it authenticates nobody.
struct PresentedToken {
  enum class Presence {
    kNone,       // neither header
    kOne,        // `token`; empty for another Authorization scheme alone (present, but no key)
    kAmbiguous,  // MC-Api-Key or Authorization sent more than once, or MC-Api-Key
                 // with a Bearer token that differs from it
  };
  Presence presence = Presence::kNone;
  std::string_view token;  // a view into the request
};
PresentedToken presented_token(const HttpRequest& request);
// The 400 answer's Status (reason ambiguous_credentials).
Status ambiguous_credentials();
// The value of one cookie, or empty.
std::string cookie_value(const HttpRequest& request, std::string_view name);

inline constexpr std::string_view kSessionCookie = "kl_session";

}  // namespace keyledger::server
