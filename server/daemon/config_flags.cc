#include "server/daemon/config_flags.h"

#include <charconv>
#include <map>
#include <type_traits>

#include "core/version.h"

namespace keyledger::server {
namespace {

// A duration flag, also read from `env`: seconds, or a number with a unit
// (90s, 15m, 2h, 1d), from 1 s to `max_seconds`.
void add_duration_option(CLI::App& app, const std::string& name, unsigned& seconds,
                         const std::string& env, const std::string& help, unsigned max_seconds) {
  const CLI::AsNumberWithUnit units(
      std::map<std::string, unsigned>{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}},
      CLI::AsNumberWithUnit::CASE_SENSITIVE, "DURATION");
  app.add_option(name, seconds, help + " (seconds, or with a unit: 90s, 15m, 2h, 1d)")
      ->envname(env)
      ->transform(units)
      ->check(CLI::Range(1u, max_seconds))
      ->capture_default_str();
}

// A number flag, also read from `env`, from `min` to `max`; --help shows
// its default.
template <typename Number>
void add_bounded_option(CLI::App& app, const std::string& name, Number& value,
                        const std::string& env, const std::string& help,
                        std::type_identity_t<Number> min, std::type_identity_t<Number> max) {
  app.add_option(name, value, help)
      ->envname(env)
      ->check(CLI::Range(min, max))
      ->capture_default_str();
}

// A short duration flag, also read from `env`: milliseconds, or a number
// with a unit (250ms, 2s), from 0 to `max_ms`.
void add_milliseconds_option(CLI::App& app, const std::string& name, unsigned& milliseconds,
                             const std::string& env, const std::string& help, unsigned max_ms) {
  const CLI::AsNumberWithUnit units(std::map<std::string, unsigned>{{"ms", 1}, {"s", 1000}},
                                    CLI::AsNumberWithUnit::CASE_SENSITIVE, "DURATION");
  app.add_option(name, milliseconds, help + " (milliseconds, or with a unit: 250ms, 2s)")
      ->envname(env)
      ->transform(units)
      ->check(CLI::Range(0u, max_ms))
      ->capture_default_str();
}

}  // namespace

void describe_keyledgerd(CLI::App& app) {
  app.description(
      "keyledgerd: the keyledger server. Serves the HTTP API, the web panel and the API "
      "documentation; keeps the event log in RocksDB under --data.\n"
      "Every flag can also be set with an environment variable, e.g. KEYLEDGER_DATA.");
  app.set_version_flag("--version", version_line("keyledgerd"));
  // The values of start_failure.h's kExit* constants.
  app.footer(
      "Every log line is one JSON object on stdout; a failed start says why in one on stderr.\n"
      "Exit codes: 0 stopped cleanly; 1 another failure to start; 2 or 100-119 a bad flag; 69 a "
      "listening address cannot be bound; 73 the data folder is not writable; 78 the data "
      "folder is writable by other users. Exits 2, 69 and 78 change nothing.");
}

void add_serving_flags(CLI::App& app, ServerConfig& config, std::string& listen,
                       std::string& verify_listen) {
  app.add_option("--data", config.data_dir, "Folder holding the ledger (created if missing)")
      ->envname("KEYLEDGER_DATA")
      ->capture_default_str();
  app.add_option("--listen", listen, "HTTP address, HOST:PORT (port 0 picks a free port)")
      ->envname("KEYLEDGER_LISTEN")
      ->capture_default_str();
  app.add_option("--verify-listen", verify_listen,
                 "Binary verify port (Cap'n Proto over TCP), HOST:PORT; off unless given")
      ->envname("KEYLEDGER_VERIFY_LISTEN");
  app.add_option("--pepper-file", config.pepper_file,
                 "File with the secret that keys stored hashes (default DATA/pepper; created "
                 "0600 at first start). Keep it outside backups of the database.")
      ->envname("KEYLEDGER_PEPPER_FILE");
  app.add_flag("--rebind-pepper", config.rebind_pepper,
               "Recovery only: bind the ledger to the pepper in --pepper-file even though it "
               "stores another pepper's fingerprint (after it was bound to a wrong one). With a "
               "pepper its keys were not made with, every key fails verification.");
  app.add_option("--threads", config.threads, "HTTP worker threads (0: one per core)")
      ->envname("KEYLEDGER_THREADS")
      ->capture_default_str();
  app.add_option("--token-prefix", config.token_prefix,
                 "Prefix of issued API keys, so scanners can recognise them")
      ->envname("KEYLEDGER_TOKEN_PREFIX")
      ->capture_default_str();
}

void add_client_flags(CLI::App& app, ServerConfig& config, unsigned& flush_seconds) {
  add_bounded_option(app, "--flush-interval", flush_seconds, "KEYLEDGER_FLUSH_INTERVAL",
                     "Seconds between persisting a key's last use when its IP has not changed", 1u,
                     86400u);
  app.add_option("--trusted-proxy", config.trusted_proxies,
                 "Peer IP whose X-Forwarded-For is believed (repeatable); compared as an "
                 "address, so ::ffff:10.0.0.5 and 10.0.0.5 are one peer")
      ->envname("KEYLEDGER_TRUSTED_PROXY")
      ->delimiter(',');
  app.add_option("--public-url", config.public_url,
                 "Base URL shown to users as the API endpoint (default http://LISTEN)")
      ->envname("KEYLEDGER_PUBLIC_URL");
}

void add_abuse_limit_flags(CLI::App& app, ServerConfig& config, unsigned& failure_window_seconds,
                           unsigned& lockout_seconds, unsigned& max_lockout_seconds) {
  add_bounded_option(
      app, "--max-failed-sign-ins", config.max_failed_sign_ins, "KEYLEDGER_MAX_FAILED_SIGN_INS",
      "Failed sign-ins in a row that lock a user, or any name, for --lockout", 1u, 1000u);
  add_duration_option(
      app, "--sign-in-failure-window", failure_window_seconds, "KEYLEDGER_SIGN_IN_FAILURE_WINDOW",
      "Failed sign-ins older than this stop counting towards the lock", 7u * 86400u);
  add_duration_option(app, "--lockout", lockout_seconds, "KEYLEDGER_LOCKOUT",
                      "How long --max-failed-sign-ins in a row lock a user (or any name) the "
                      "first time; a lock within --max-lockout of the last one lasts twice as long",
                      365u * 86400u);
  add_duration_option(app, "--max-lockout", max_lockout_seconds, "KEYLEDGER_MAX_LOCKOUT",
                      "The longest a lock for failed sign-ins lasts, however often it repeats",
                      365u * 86400u);
  add_bounded_option(app, "--max-failed-verifications", config.max_failed_verifications_per_minute,
                     "KEYLEDGER_MAX_FAILED_VERIFICATIONS",
                     "Failed verifications per client IP per minute before 429", 1u, 1000000u);
  add_bounded_option(
      app, "--max-failed-sign-ins-per-ip", config.max_failed_sign_ins_per_ip_per_minute,
      "KEYLEDGER_MAX_FAILED_SIGN_INS_PER_IP",
      "Failed sign-ins per client IP per minute before 429 (whatever the user)", 1u, 1000000u);
}

void add_connection_flags(CLI::App& app, ServerConfig& config, unsigned& read_timeout_seconds) {
  add_bounded_option(app, "--read-timeout", read_timeout_seconds, "KEYLEDGER_READ_TIMEOUT",
                     "Seconds a client may take to send a request", 1u, 3600u);
  add_bounded_option(app, "--max-connections", config.max_connections, "KEYLEDGER_MAX_CONNECTIONS",
                     "Open connections (HTTP and verify port together) beyond which new ones are "
                     "closed at once",
                     1u, 1'000'000u);
  add_bounded_option(app, "--max-connections-per-ip", config.max_connections_per_ip,
                     "KEYLEDGER_MAX_CONNECTIONS_PER_IP",
                     "Open connections from one client IP beyond which its new ones are closed at "
                     "once (--trusted-proxy addresses are exempt; --max-connections still applies)",
                     1u, 1'000'000u);
}

void add_operation_flags(CLI::App& app, ServerConfig& config) {
  app.add_option("--log-level", config.log_level,
                 "trace, debug, info, warn, error. Every log line is one JSON object on stdout; "
                 "the start-up and shutdown lines and the access log are written at any level")
      ->envname("KEYLEDGER_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--unlock", config.unlock_users,
                 "Unlock this user at start (repeatable): recovery when every admin is locked "
                 "out, by failed sign-ins or by another admin");
  app.add_flag("!--no-access-log", config.access_log, "Do not write the JSON access log");
  app.add_flag("!--no-sync", config.sync,
               "Do not fsync each commit (loses acknowledged changes on power loss; tests only)");
  add_bounded_option(app, "--scrypt-cost", config.scrypt_log2_n, "KEYLEDGER_SCRYPT_COST",
                     "log2 of scrypt's N for password hashes", 10, 20);
}

void add_read_your_writes_flags(CLI::App& app, unsigned& min_seq_wait_ms) {
  add_milliseconds_option(
      app, "--min-seq-wait", min_seq_wait_ms, "KEYLEDGER_MIN_SEQ_WAIT",
      "How long a verification asking for a seq this node has not applied yet "
      "(KeyLedger-Min-Seq, minSeq) waits for it before answering 503 seq_not_reached; 0 answers "
      "at once",
      60'000u);
}

void add_follower_flags(CLI::App& app, ServerConfig& config, std::string& max_staleness) {
  app.add_flag("--follower", config.follower,
               "Run as a follower: apply the leader's events from --nats into the ledger under "
               "--data, and serve verification (HTTP and the verify port) only; management "
               "calls answer 503 not_leader. Needs the leader's pepper file (--pepper-file)");
  app.add_option("--leader-url", config.leader_url,
                 "A follower's: the leader's base URL, named in its not_leader answers")
      ->envname("KEYLEDGER_LEADER_URL");
  app.add_option("--max-staleness", max_staleness,
                 "A follower's: how long it answers verifications without confirming that it "
                 "holds every event of the stream; past it, 503 stale_replica (seconds, or with "
                 "a unit: 250ms, 10s, 1m; from 10ms to 1h)")
      ->envname("KEYLEDGER_MAX_STALENESS")
      ->capture_default_str();
  app.add_option("--node-name", config.node_name,
                 "A follower's name in the leader's cluster view (GET /v1/cluster, /metrics): "
                 "1 to 128 of letters, digits and . _ : - (default: hostname:http-port)")
      ->envname("KEYLEDGER_NODE_NAME");
}

std::optional<std::chrono::milliseconds> parse_short_duration(std::string_view text) {
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string_view unit(end, text.data() + text.size() - end);
  std::uint64_t milliseconds_per_unit = 0;
  if (unit.empty() || unit == "s")
    milliseconds_per_unit = 1000;
  else if (unit == "ms")
    milliseconds_per_unit = 1;
  else if (unit == "m")
    milliseconds_per_unit = 60'000;
  else
    return std::nullopt;
  // Far beyond any bound a caller checks, and safe from overflow.
  if (number > 1'000'000'000) return std::nullopt;
  return std::chrono::milliseconds(number * milliseconds_per_unit);
}

void add_publisher_flags(CLI::App& app, std::string& max_unpublished) {
  app.add_option("--max-unpublished", max_unpublished,
                 "With --nats: refuse writes (503 replication_unavailable) while the oldest "
                 "committed event not yet in the stream is older than this (seconds, or with a "
                 "unit: 250ms, 1s, 2m; from 1ms to 1h)")
      ->envname("KEYLEDGER_MAX_UNPUBLISHED")
      ->capture_default_str();
}

}  // namespace keyledger::server
