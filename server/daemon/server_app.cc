#include "server/daemon/server_app.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <thread>

#include "core/text.h"
#include "core/token.h"
#include "projections/live_projection.h"
#include "projections/stored_projection.h"
#include "server/api/api_parts.h"
#include "server/api/first_admin.h"
#include "server/daemon/data_folder.h"
#include "server/daemon/metrics.h"
#include "server/daemon/pepper.h"
#include "server/http/steady_timer_service.h"
#include "server/verify/verify_port.h"
#include "server/writer/group_commit_writer.h"
#include "storage/rocks_event_log.h"

namespace keyledger::server {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Writes the error line that ends a start and returns `exit_code`.
int fail(JsonLog& log, int exit_code, const std::string& what, const Status& status,
         LogFields fields = LogFields::object()) {
  fields["reason"] = status.reason();
  fields["exit_code"] = exit_code;
  log.start_failure(what + ": " + status.message(), fields);
  return exit_code;
}

// HOST as it appears in a URL or HOST:PORT ("[::1]" for IPv6).
std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string http_url(const std::string& host, std::uint16_t port) {
  return "http://" + url_host(host) + ":" + std::to_string(port);
}

// The /v1 URL shown to users: from --public-url, or the bound address.
std::string api_endpoint(const ServerConfig& config, std::uint16_t http_port) {
  const std::string base =
      config.public_url.empty() ? http_url(config.listen.host, http_port) : config.public_url;
  return std::string(trim_trailing(base, "/")) + "/v1";
}

// Everything that can refuse a start without touching anything: the token
// prefix, the data folder's state, and (when this start would create the
// admin) the password in the environment. 0, or the exit code after the
// error line.
int check_before_binding(const ServerConfig& config, const DataFolder& data,
                         const StatusOr<std::optional<std::string>>& admin_password, JsonLog& log) {
  if (Status prefix = validate_token_prefix(config.token_prefix); !prefix.is_ok())
    return fail(log, kExitFailure, "--token-prefix", prefix);
  if (Status usable = check_data_folder(data); !usable.is_ok())
    return fail(
        log,
        usable.reason() == "data_folder_not_private" ? kExitDataNotPrivate : kExitDataNotWritable,
        "cannot use the data folder", usable, {{"path", config.data_dir}});
  if (!admin_password.is_ok() && ledger_is_new(data))
    return fail(log, kExitFailure, "creating the admin user", admin_password.status());
  // A new ledger holds no one to unlock but the admin it creates, who is
  // not locked: any other name would fail only after the ledger was made.
  for (const auto& user_id : config.unlock_users)
    if (ledger_is_new(data) && user_id != "admin")
      return fail(log, kExitUsage, "--unlock " + user_id,
                  not_found("user_not_found",
                            "the ledger is new: it holds no user '" + user_id + "' to unlock"));
  // The pepper is created at the first start; a folder for it that does not
  // exist would fail only after the ledger was made.
  const std::filesystem::path pepper_folder =
      std::filesystem::path(config.pepper_file).parent_path();
  std::error_code error;
  if (!std::filesystem::exists(config.pepper_file, error) && pepper_folder != data.root &&
      !pepper_folder.empty() && !std::filesystem::is_directory(pepper_folder, error))
    return fail(log, kExitUsage, "--pepper-file",
                not_found("pepper_folder_missing", "the folder " + pepper_folder.string() +
                                                       " of --pepper-file does not exist"));
  return 0;
}

// What to do about an address that cannot be bound, in the words of `flag`.
std::string bind_advice(const Status& status, const std::string& flag) {
  if (status.reason() == "address_in_use")
    return "address already in use; is another keyledgerd running? choose another with " + flag;
  if (status.reason() == "address_not_available")
    return "no network interface of this machine has that address; choose another with " + flag;
  if (status.reason() == "address_forbidden")
    return "permission denied (ports below 1024 need privileges); choose another with " + flag;
  return status.message() + "; choose another with " + flag;
}

// Binds `endpoint`, given with `flag`, on `io`; on failure writes the
// error line and leaves `exit_code` set.
std::optional<tcp::acceptor> bind_port(asio::io_context& io, const Endpoint& endpoint,
                                       const std::string& flag, JsonLog& log, int& exit_code) {
  const std::string shown = url_host(endpoint.host) + ":" + std::to_string(endpoint.port);
  const LogFields fields = {{"address", shown}, {"flag", flag}};
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(endpoint.host, address_error);
  if (address_error) {
    exit_code = fail(
        log, kExitUsage, flag,
        invalid_argument("bad_address", "'" + endpoint.host + "' is not an IP address"), fields);
    return std::nullopt;
  }
  auto bound = bind_listening_socket(io, {address, endpoint.port});
  if (!bound.is_ok()) {
    exit_code =
        fail(log, kExitAddressUnavailable, "cannot listen on " + shown,
             Status(bound.status().code(), bound.status().reason(),
                    bind_advice(bound.status(), flag) + " (" + bound.status().message() + ")"),
             fields);
    return std::nullopt;
  }
  return std::move(*bound);
}

// Every port keyledgerd serves, bound before anything is created.
struct BoundPorts {
  std::optional<tcp::acceptor> http;
  std::optional<tcp::acceptor> verify;  // with --verify-listen
};

// 0 with every port bound, or the exit code after the error line.
int bind_ports(const ServerConfig& config, asio::io_context& io, JsonLog& log, BoundPorts& ports) {
  int exit_code = 0;
  ports.http = bind_port(io, config.listen, "--listen", log, exit_code);
  if (!ports.http) return exit_code;
  if (config.verify_listen) {
    ports.verify = bind_port(io, *config.verify_listen, "--verify-listen", log, exit_code);
    if (!ports.verify) return exit_code;
  }
  return 0;
}

SignInPolicy sign_in_policy(const ServerConfig& config) {
  using std::chrono::nanoseconds;
  SignInPolicy policy;
  policy.max_consecutive_failures = config.max_failed_sign_ins;
  policy.failure_window_ns = nanoseconds(config.sign_in_failure_window).count();
  policy.lockout.base_ns = nanoseconds(config.lockout).count();
  policy.lockout.max_ns = nanoseconds(config.max_lockout).count();
  return policy;
}

// Each connection is a descriptor; the usual soft limit (1024) would make
// accept fail long before --max-connections. Raise it as far as the hard
// limit allows and say so when the cap still cannot be reached.
void raise_open_file_limit(unsigned max_connections, JsonLog& log) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  // RocksDB's files, the listeners and the logs need descriptors too.
  constexpr rlim_t kReserve = 256;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < max_connections + kReserve)
    log.warn(
        "the open-file limit is below --max-connections plus a reserve for the database; "
        "accepts will fail first",
        {{"open_file_limit", static_cast<unsigned long long>(limit.rlim_cur)},
         {"max_connections", max_connections},
         {"reserve", static_cast<unsigned long long>(kReserve)}});
}

// One io_context per I/O thread: `main` (the listeners, signals and the
// connections placed on it) runs on run_server's thread, each of the others
// on a thread of its own. A connection stays on the context it was placed
// on, so its session is only ever touched by one thread and needs no strand.
struct IoContexts {
  explicit IoContexts(unsigned threads) {
    for (unsigned i = 1; i < threads; ++i) extra.push_back(std::make_unique<asio::io_context>(1));
    all.push_back(&main);
    for (auto& context : extra) all.push_back(context.get());
  }
  // Declared before `main`, so destroyed after it: an accept still pending
  // on `main` at shutdown holds a socket of one of these contexts.
  std::vector<std::unique_ptr<asio::io_context>> extra;
  asio::io_context main{1};
  std::vector<asio::io_context*> all;  // `main` first
};

// The ledger as keyledgerd serves it: the log, the keyed hash of its
// pepper, and the projection folded from it.
struct OpenLedger {
  std::unique_ptr<storage::RocksEventLog> log;
  std::optional<SecretHasher> secret_hasher;
  std::unique_ptr<projections::LiveProjection> projection;
};

// Opens (creating on a first start) the ledger and its pepper; 0, or the
// exit code after the error line.
int open_ledger(const ServerConfig& config, const DataFolder& data, RandomSource& random,
                JsonLog& log, OpenLedger& ledger) {
  storage::RocksOptions rocks_options;
  rocks_options.sync = config.sync;
  rocks_options.diagnostics = [&log](std::string_view line) {
    log.warn("rocksdb", {{"detail", line}});
  };
  auto opened = storage::RocksEventLog::open(data.ledger, rocks_options);
  if (!opened.is_ok())
    return fail(log, kExitFailure, "opening " + data.ledger.string(), opened.status());
  ledger.log = std::move(*opened);
  // After the ledger, which says whether a pepper may still be created and
  // which pepper its key hashes were made with.
  auto hasher =
      open_ledger_pepper(config.pepper_file, *ledger.log, random, log, config.rebind_pepper);
  if (!hasher.is_ok()) return fail(log, kExitFailure, "pepper", hasher.status());
  ledger.secret_hasher.emplace(std::move(*hasher));
  const auto upgrade_started = std::chrono::steady_clock::now();
  auto upgraded = projections::upgrade_stored_projection(*ledger.log);
  if (!upgraded.is_ok())
    return fail(log, kExitFailure, "upgrading the stored projection", upgraded.status());
  if (upgraded->from_version != projections::kProjectionVersion)
    log.always(LogLevel::kInfo, "rebuilt the stored projection",
               {{"events", upgraded->events},
                {"from_version", upgraded->from_version},
                {"to_version", projections::kProjectionVersion},
                {"seconds",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - upgrade_started)
                     .count()}});
  auto projection = projections::LiveProjection::load(*ledger.log);
  if (!projection.is_ok())
    return fail(log, kExitFailure, "loading the projection", projection.status());
  ledger.projection = std::move(*projection);
  return 0;
}

// --unlock: 0, or the exit code after the error line.
int unlock_users(const ServerConfig& config, writer::GroupCommitWriter& writer, JsonLog& log) {
  for (const auto& user_id : config.unlock_users) {
    auto unlocked = writer.execute(UnlockUser{user_id}, EventOrigin{});
    if (!unlocked.is_ok() && unlocked.status().reason() != "unchanged")
      return fail(log, kExitFailure, "--unlock " + user_id, unlocked.status());
    log.always(LogLevel::kInfo, "user unlocked", {{"user", user_id}});
  }
  return 0;
}

// Serves until SIGINT or SIGTERM, then drains in-flight requests (for at
// most ten seconds) and stops every context.
void serve_until_signalled(IoContexts& contexts, ApiParts& api, HttpServer& server,
                           VerifyPort* verify_port, JsonLog& log) {
  asio::signal_set signals(contexts.main, SIGINT, SIGTERM);
  asio::steady_timer drain_timer(contexts.main);
  int drain_checks = 0;
  // The other contexts have no work of their own when idle; the guards keep
  // their threads running until shutdown.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  for (auto& context : contexts.extra) keep_running.push_back(asio::make_work_guard(*context));
  auto stop_all = [&] {
    for (auto* context : contexts.all) context->stop();
  };
  std::function<void()> wait_for_drain = [&] {
    if (api.in_flight() == 0 || ++drain_checks > 500) return stop_all();
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](const boost::system::error_code&) { wait_for_drain(); });
  };
  signals.async_wait([&](const boost::system::error_code& signal_error, int) {
    if (signal_error) return;
    log.always(LogLevel::kInfo, "shutting down");
    api.set_ready(false);
    server.stop_accepting();
    if (verify_port) verify_port->stop_accepting();
    wait_for_drain();
  });
  std::vector<std::thread> workers;
  for (auto& context : contexts.extra)
    workers.emplace_back([&context = *context] { context.run(); });
  contexts.main.run();
  for (auto& worker : workers) worker.join();
}

ApiOptions api_options(const ServerConfig& config) {
  ApiOptions options;
  options.token_prefix = config.token_prefix;
  options.trusted_proxies = config.trusted_proxies;
  options.max_failed_sign_ins_per_ip_per_minute = config.max_failed_sign_ins_per_ip_per_minute;
  return options;
}

}  // namespace

int run_server(const ServerConfig& config, JsonLog& log) {
  // Everything keyledgerd creates holds secrets or password hashes: the
  // ledger's files (which RocksDB creates 0644 under the usual umask 022),
  // the pepper, the one-time password file. With 077 each is private to
  // keyledgerd's user from the moment it exists, whoever creates it.
  ::umask(077);
  SystemClock clock;
  SecureRandom random;
  const DataFolder data(config.data_dir);
  const auto admin_password = admin_password_from_environment();
  if (int refused = check_before_binding(config, data, admin_password, log)) return refused;

  // Outlives the io_contexts: a connection still queued on one at shutdown
  // gives its slot back when the context destroys it.
  const TrustedPeers trusted_proxies(config.trusted_proxies);
  ConnectionLimiter connections(
      {config.max_connections, config.max_connections_per_ip, trusted_proxies});
  const unsigned threads =
      config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  IoContexts contexts(threads);
  // Before anything is created: a start that cannot serve must leave no
  // data folder, pepper or admin behind (whose one-time password it would
  // have shown to nobody).
  BoundPorts ports;
  if (int refused = bind_ports(config, contexts.main, log, ports)) return refused;
  const std::uint16_t http_port = ports.http->local_endpoint().port();

  if (Status prepared = prepare_data_folder(data, log); !prepared.is_ok())
    return fail(log, kExitDataNotWritable, "cannot use the data folder", prepared,
                {{"path", config.data_dir}});
  OpenLedger ledger;
  if (int refused = open_ledger(config, data, random, log, ledger)) return refused;
  auto& projection = *ledger.projection;

  raise_open_file_limit(config.max_connections, log);
  Metrics metrics(&connections);
  writer::WriterOptions writer_options;
  writer_options.on_commit = [&metrics](const writer::CommitInfo& info) {
    metrics.observe_commit(info);
  };
  auto writer =
      std::make_unique<writer::GroupCommitWriter>(*ledger.log, projection, clock, writer_options);
  PasswordHasher password_hasher(random, ScryptCost{config.scrypt_log2_n, 8, 1});
  const InitialPasswordFile initial_password(data.root / kInitialPasswordFileName, log);
  if (Status admin = start_first_admin(projection, *writer, password_hasher, random,
                                       initial_password, admin_password, log);
      !admin.is_ok())
    return fail(log, kExitFailure, "creating the admin user", admin);

  if (int refused = unlock_users(config, *writer, log)) return refused;

  LastUseTracker last_use(*writer, projection, clock, config.last_use_flush_interval);
  last_use.start();
  FailureRateLimiter limiter(clock, config.max_failed_verifications_per_minute);
  SessionStore sessions(clock, random);
  SignInGuard sign_ins(clock, sign_in_policy(config));
  asio::thread_pool blocking_pool(2);
  AccessLog access_log(log, config.access_log);
  CredentialVerifier verifier(projection, *ledger.secret_hasher, last_use, limiter, clock,
                              config.token_prefix);
  const MetricsPage metrics_page(metrics, verifier, *writer);
  ApiParts api(ApiDependencies{api_options(config), projection, *writer, *ledger.log, verifier,
                               last_use, sessions, sign_ins, password_hasher, *ledger.secret_hasher,
                               blocking_pool, ApiObservers{metrics, metrics, metrics_page},
                               access_log, clock, random, api_endpoint(config, http_port), log,
                               initial_password});

  // Destroyed after the contexts stop (serve_until_signalled returns then)
  // and before them (the sessions they still hold outlive their timers).
  SteadyTimerService timers(contexts.all);
  HttpLimits limits;
  limits.read_timeout = config.read_timeout;
  HttpServer server(contexts.main, api.handler(), limits, connections, timers, log, contexts.all);
  server.serve(std::move(*ports.http));
  api.set_ready(true);
  std::unique_ptr<VerifyPort> verify_port;
  if (ports.verify) {
    VerifyPortLimits verify_limits;
    verify_limits.trusted_peers = trusted_proxies;
    verify_port =
        std::make_unique<VerifyPort>(contexts.main, verifier, connections, timers,
                                     metrics.verify_port(), log, verify_limits, contexts.all);
    const std::uint16_t port = ports.verify->local_endpoint().port();
    verify_port->serve(std::move(*ports.verify));
    log.always(LogLevel::kInfo, "verify port listening",
               {{"address", url_host(config.verify_listen->host) + ":" + std::to_string(port)},
                {"port", port}});
  }
  // Written last: tests and scripts wait for this line.
  log.always(LogLevel::kInfo, "listening",
             {{"url", http_url(config.listen.host, http_port)},
              {"port", http_port},
              {"data", config.data_dir}});

  serve_until_signalled(contexts, api, server, verify_port.get(), log);

  blocking_pool.join();
  last_use.stop();  // no flusher may race the final flush or outlive the writer
  last_use.flush_all();
  // Drains the queue. Before the io_contexts go: answers to the last
  // commands are posted to them (server/api/commit_answers.h), and a stopped
  // context only destroys them, while a destroyed one would be used.
  writer.reset();
  log.always(LogLevel::kInfo, "stopped cleanly", {{"seq", ledger.log->head().seq}});
  return 0;
}

}  // namespace keyledger::server
