#include "server/server_app.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/hash.h"
#include "core/token.h"
#include "projections/live_projection.h"
#include "projections/stored_projection.h"
#include "server/api.h"
#include "server/pepper.h"
#include "server/verify_port.h"
#include "storage/group_commit_writer.h"
#include "storage/rocks_event_log.h"

namespace keyledger::server {
namespace {

namespace asio = boost::asio;

int fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "keyledgerd: %s: %s\n", what.c_str(), status.to_string().c_str());
  return 1;
}

// sysexits' EX_CANTCREAT: the data folder cannot be written. Distinct from
// other start failures so a supervisor can tell "fix the disk or the mount"
// from "fix the configuration" without parsing messages.
constexpr int kExitDataNotWritable = 73;

// Checks, before anything is opened or created, that keyledgerd may write
// the data folder and the ledger in it (a read-only mount, or a folder of
// another user). Writes nothing itself.
bool data_folder_writable(const std::filesystem::path& data_dir,
                          const std::filesystem::path& db_path) {
  for (const auto& path : {data_dir, db_path}) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) continue;
    if (::access(path.c_str(), W_OK) != 0) {
      std::fprintf(stderr,
                   "keyledgerd: the data folder %s is not writable (%s); keyledgerd must be able "
                   "to write its ledger there. Nothing was changed.\n",
                   path.c_str(), std::strerror(errno));
      return false;
    }
  }
  return true;
}

// On an empty ledger: the user `admin` with a password from
// KEYLEDGER_ADMIN_PASSWORD, or a generated one printed once.
Status bootstrap_admin(projections::LiveProjection& projection, storage::GroupCommitWriter& writer,
                       const PasswordHasher& hasher, RandomSource& random) {
  if (!projection.users().empty()) return Status::ok();
  std::string password;
  bool generated = false;
  if (const char* given = std::getenv("KEYLEDGER_ADMIN_PASSWORD"); given && *given) {
    password = given;
    // The same rules as every other password: an operator's typo must not
    // become the admin's weak password.
    if (Status valid = validate_password(password); !valid.is_ok())
      return invalid_argument(valid.reason(),
                              "KEYLEDGER_ADMIN_PASSWORD is not an acceptable password: " +
                                  valid.message() + ". No user was created.");
  } else {
    password = generate_token("admin", random).secret.substr(0, 20);
    generated = true;
  }
  auto hash = hasher.hash(password);
  if (!hash.is_ok()) return hash.status();
  // A printed password is one-time: the first sign-in must choose another.
  // One from the environment is the operator's own choice.
  auto created =
      writer.execute(CreateUser{"admin", Privilege::kAdmin, *hash, generated}, EventOrigin{});
  if (!created.is_ok()) return created.status();
  if (generated)
    std::printf("keyledgerd: created user 'admin' with one-time password: %s\n", password.c_str());
  else
    std::printf(
        "keyledgerd: created user 'admin' with the password from KEYLEDGER_ADMIN_PASSWORD\n");
  std::fflush(stdout);
  return Status::ok();
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
void raise_open_file_limit(unsigned max_connections) {
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
    spdlog::warn(
        "keyledgerd: the open-file limit ({}) is below --max-connections ({}) plus {} for the "
        "database; accepts will fail first",
        static_cast<unsigned long long>(limit.rlim_cur), max_connections,
        static_cast<unsigned long long>(kReserve));
}

}  // namespace

int run_server(const ServerConfig& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  SystemClock clock;
  SecureRandom random;
  std::error_code error;
  std::filesystem::create_directories(config.data_dir, error);
  if (error) {
    fail("creating " + config.data_dir, unavailable("mkdir", error.message()));
    return kExitDataNotWritable;
  }
  if (Status prefix = validate_token_prefix(config.token_prefix); !prefix.is_ok())
    return fail("--token-prefix", prefix);

  // The database lives in a subfolder so the pepper (and nothing else) can
  // sit beside it by default.
  const std::filesystem::path db_path = std::filesystem::path(config.data_dir) / "ledger";
  if (!data_folder_writable(config.data_dir, db_path)) return kExitDataNotWritable;

  storage::RocksOptions rocks_options;
  rocks_options.sync = config.sync;
  auto log = storage::RocksEventLog::open(db_path, rocks_options);
  if (!log.is_ok()) return fail("opening " + db_path.string(), log.status());
  // After the ledger, which says whether a pepper may still be created and
  // which pepper its key hashes were made with.
  auto secret_hasher = open_ledger_pepper(config.pepper_file, **log, random, config.rebind_pepper);
  if (!secret_hasher.is_ok()) return fail("pepper", secret_hasher.status());
  const auto upgrade_started = std::chrono::steady_clock::now();
  auto upgraded = projections::upgrade_stored_projection(**log);
  if (!upgraded.is_ok()) return fail("upgrading the stored projection", upgraded.status());
  if (upgraded->from_version != projections::kProjectionVersion)
    spdlog::info(
        "keyledgerd: rebuilt the stored projection from {} events (version {} -> {}) in {:.3f} s",
        upgraded->events, upgraded->from_version, projections::kProjectionVersion,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - upgrade_started).count());
  auto projection = projections::LiveProjection::load(**log);
  if (!projection.is_ok()) return fail("loading the projection", projection.status());

  raise_open_file_limit(config.max_connections);
  ConnectionLimiter connections(
      {config.max_connections, config.max_connections_per_ip, config.trusted_proxies});
  Metrics metrics(&connections);
  storage::WriterOptions writer_options;
  writer_options.on_commit = [&metrics](const storage::CommitInfo& info) {
    metrics.observe_commit(info);
  };
  auto writer =
      std::make_unique<storage::GroupCommitWriter>(**log, **projection, clock, writer_options);
  PasswordHasher password_hasher(random, ScryptCost{config.scrypt_log2_n, 8, 1});
  if (Status admin = bootstrap_admin(**projection, *writer, password_hasher, random);
      !admin.is_ok())
    return fail("creating the admin user", admin);

  for (const auto& user_id : config.unlock_users) {
    auto unlocked = writer->execute(UnlockUser{user_id}, EventOrigin{});
    if (!unlocked.is_ok() && unlocked.status().reason() != "unchanged")
      return fail("--unlock " + user_id, unlocked.status());
    std::printf("keyledgerd: user '%s' is unlocked\n", user_id.c_str());
  }

  LastUseTracker last_use(*writer, **projection, clock, config.last_use_flush_interval);
  last_use.start();
  FailureRateLimiter limiter(clock, config.max_failed_verifications_per_minute);
  SessionStore sessions(clock, random);
  SignInGuard sign_ins(clock, sign_in_policy(config));
  asio::thread_pool blocking_pool(2);
  AccessLog access_log(config.access_log);
  CredentialVerifier verifier(**projection, *secret_hasher, last_use, limiter, clock,
                              config.token_prefix);

  // One io_context per I/O thread: `io` (the listeners, signals and the
  // connections placed on it) runs on this thread, each of the others on a
  // thread of its own. A connection stays on the context it was placed on,
  // so its session is only ever touched by one thread and needs no strand.
  const unsigned threads =
      config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  // Declared before `io`, so destroyed after it: an accept still pending on
  // `io` at shutdown holds a socket of one of these contexts.
  std::vector<std::unique_ptr<asio::io_context>> extra_contexts;
  for (unsigned i = 1; i < threads; ++i)
    extra_contexts.push_back(std::make_unique<asio::io_context>(1));
  asio::io_context io(1);
  std::vector<asio::io_context*> session_contexts = {&io};
  for (auto& context : extra_contexts) session_contexts.push_back(context.get());
  HttpLimits limits;
  limits.read_timeout = config.read_timeout;
  std::string host = config.listen.host;
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;

  boost::system::error_code address_error;
  auto address = asio::ip::make_address(host, address_error);
  if (address_error)
    return fail("--listen", invalid_argument("bad_address", "'" + host + "' is not an IP address"));

  std::string api_endpoint = config.public_url;
  std::unique_ptr<Api> api;
  HttpServer* server_ptr = nullptr;
  auto make_api = [&](std::uint16_t port) {
    if (api_endpoint.empty()) api_endpoint = "http://" + shown_host + ":" + std::to_string(port);
    while (!api_endpoint.empty() && api_endpoint.back() == '/') api_endpoint.pop_back();
    api = std::make_unique<Api>(ApiDependencies{config, **projection, *writer, **log, verifier,
                                                last_use, sessions, sign_ins, password_hasher,
                                                *secret_hasher, blocking_pool, metrics, access_log,
                                                clock, random, api_endpoint + "/v1"});
  };
  // The Api needs the bound port for the endpoint it shows; the server
  // needs a handler. A forwarding handler breaks the cycle.
  struct Forward final : RequestHandler {
    std::unique_ptr<Api>* api;
    void handle(std::shared_ptr<Exchange> exchange, Respond respond) override {
      (*api)->handle(std::move(exchange), std::move(respond));
    }
    HttpResponse reject(std::string_view code, unsigned status, const HttpRequest* partial,
                        std::string_view client_ip) override {
      return (*api)->reject(code, status, partial, client_ip);
    }
  } forward;
  forward.api = &api;
  HttpServer server(io, forward, limits, connections, session_contexts);
  server_ptr = &server;
  std::string listen_error;
  if (!server.listen({address, config.listen.port}, listen_error))
    return fail("listening on " + shown_host + ":" + std::to_string(config.listen.port),
                unavailable("listen", listen_error));
  make_api(server.local_endpoint().port());
  api->set_ready(true);

  std::unique_ptr<VerifyPort> verify_port;
  if (config.verify_listen) {
    boost::system::error_code verify_address_error;
    auto verify_address = asio::ip::make_address(config.verify_listen->host, verify_address_error);
    if (verify_address_error)
      return fail("--verify-listen", invalid_argument("bad_address", "not an IP address"));
    VerifyPortLimits verify_limits;
    verify_limits.trusted_peers = config.trusted_proxies;
    verify_port = std::make_unique<VerifyPort>(io, verifier, connections, metrics.verify_port(),
                                               verify_limits, session_contexts);
    if (!verify_port->listen({verify_address, config.verify_listen->port}, listen_error))
      return fail("--verify-listen", unavailable("listen", listen_error));
    std::printf("keyledgerd: verify port listening on %s:%u\n", config.verify_listen->host.c_str(),
                verify_port->local_endpoint().port());
  }
  // Printed last: tests and scripts wait for this line.
  std::printf("keyledgerd: listening on http://%s:%u (data in %s)\n", shown_host.c_str(),
              server.local_endpoint().port(), config.data_dir.c_str());
  std::fflush(stdout);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer drain_timer(io);
  int drain_checks = 0;
  // The other contexts have no work of their own when idle; the guards keep
  // their threads running until shutdown.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  for (auto& context : extra_contexts) keep_running.push_back(asio::make_work_guard(*context));
  auto stop_all = [&] {
    for (auto& context : session_contexts) context->stop();
  };
  std::function<void()> wait_for_drain = [&] {
    if (api->in_flight() == 0 || ++drain_checks > 500) return stop_all();
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](const boost::system::error_code&) { wait_for_drain(); });
  };
  signals.async_wait([&](const boost::system::error_code& signal_error, int) {
    if (signal_error) return;
    spdlog::info("keyledgerd: shutting down");
    api->set_ready(false);
    server_ptr->stop_accepting();
    if (verify_port) verify_port->stop_accepting();
    wait_for_drain();
  });

  std::vector<std::thread> workers;
  for (auto& context : extra_contexts)
    workers.emplace_back([&context = *context] { context.run(); });
  io.run();
  for (auto& worker : workers) worker.join();

  blocking_pool.join();
  last_use.stop();  // no flusher may race the final flush or outlive the writer
  last_use.flush_all();
  // Drains the queue. Before the io_contexts go: answers to the last
  // commands are posted to them (server/commit_answers.h), and a stopped
  // context only destroys them, while a destroyed one would be used.
  writer.reset();
  std::printf("keyledgerd: stopped cleanly at seq %llu\n",
              static_cast<unsigned long long>((*log)->head().seq));
  std::fflush(stdout);
  return 0;
}

}  // namespace keyledger::server
