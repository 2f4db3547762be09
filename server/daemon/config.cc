#include "server/daemon/config.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <map>

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

// A bad flag ends the process with `exit_code`: 2, or CLI11's code for the
// kind of mistake.
ConfigExit bad_flag(std::string message, int exit_code = 2) {
  return ConfigExit{exit_code, invalid_argument(Reason::kBadFlag, std::move(message))};
}

}  // namespace

bool parse_endpoint(const std::string& text, Endpoint& out) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return false;
  out.host = host;
  out.port = static_cast<std::uint16_t>(port);
  return true;
}

std::variant<ServerConfig, ConfigExit> parse_config(int argc, char** argv) {
  ServerConfig config;
  CLI::App app{
      "keyledgerd: the keyledger server. Serves the HTTP API, the web panel and the API "
      "documentation; keeps the event log in RocksDB under --data.\n"
      "Every flag can also be set with an environment variable, e.g. KEYLEDGER_DATA."};
  app.set_version_flag("--version", version_line("keyledgerd"));
  // The values of server_app.h's kExit* constants.
  app.footer(
      "Every log line is one JSON object on stdout; a failed start says why in one on stderr.\n"
      "Exit codes: 0 stopped cleanly; 1 another failure to start; 2 or 100-119 a bad flag; 69 a "
      "listening address cannot be bound; 73 the data folder is not writable; 78 the data "
      "folder is writable by other users. Exits 2, 69 and 78 change nothing.");
  std::string listen = "127.0.0.1:8080";
  unsigned flush_seconds = static_cast<unsigned>(config.last_use_flush_interval.count());
  unsigned read_timeout_seconds = static_cast<unsigned>(config.read_timeout.count());
  app.add_option("--data", config.data_dir, "Folder holding the ledger (created if missing)")
      ->envname("KEYLEDGER_DATA")
      ->capture_default_str();
  app.add_option("--listen", listen, "HTTP address, HOST:PORT (port 0 picks a free port)")
      ->envname("KEYLEDGER_LISTEN")
      ->capture_default_str();
  std::string verify_listen;
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
  app.add_option("--flush-interval", flush_seconds,
                 "Seconds between persisting a key's last use when its IP has not changed")
      ->envname("KEYLEDGER_FLUSH_INTERVAL")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  app.add_option("--trusted-proxy", config.trusted_proxies,
                 "Peer IP whose X-Forwarded-For is believed (repeatable); compared as an "
                 "address, so ::ffff:10.0.0.5 and 10.0.0.5 are one peer")
      ->envname("KEYLEDGER_TRUSTED_PROXY")
      ->delimiter(',');
  app.add_option("--public-url", config.public_url,
                 "Base URL shown to users as the API endpoint (default http://LISTEN)")
      ->envname("KEYLEDGER_PUBLIC_URL");
  app.add_option("--max-failed-sign-ins", config.max_failed_sign_ins,
                 "Failed sign-ins in a row that lock a user, or any name, for --lockout")
      ->envname("KEYLEDGER_MAX_FAILED_SIGN_INS")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  unsigned failure_window_seconds = static_cast<unsigned>(config.sign_in_failure_window.count());
  unsigned lockout_seconds = static_cast<unsigned>(config.lockout.count());
  unsigned max_lockout_seconds = static_cast<unsigned>(config.max_lockout.count());
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
  app.add_option("--max-failed-verifications", config.max_failed_verifications_per_minute,
                 "Failed verifications per client IP per minute before 429")
      ->envname("KEYLEDGER_MAX_FAILED_VERIFICATIONS")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  app.add_option("--max-failed-sign-ins-per-ip", config.max_failed_sign_ins_per_ip_per_minute,
                 "Failed sign-ins per client IP per minute before 429 (whatever the user)")
      ->envname("KEYLEDGER_MAX_FAILED_SIGN_INS_PER_IP")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  app.add_option("--read-timeout", read_timeout_seconds,
                 "Seconds a client may take to send a request")
      ->envname("KEYLEDGER_READ_TIMEOUT")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
  app.add_option("--max-connections", config.max_connections,
                 "Open connections (HTTP and verify port together) beyond which new ones are "
                 "closed at once")
      ->envname("KEYLEDGER_MAX_CONNECTIONS")
      ->check(CLI::Range(1u, 1'000'000u))
      ->capture_default_str();
  app.add_option("--max-connections-per-ip", config.max_connections_per_ip,
                 "Open connections from one client IP beyond which its new ones are closed at "
                 "once (--trusted-proxy addresses are exempt; --max-connections still applies)")
      ->envname("KEYLEDGER_MAX_CONNECTIONS_PER_IP")
      ->check(CLI::Range(1u, 1'000'000u))
      ->capture_default_str();
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
  app.add_option("--scrypt-cost", config.scrypt_log2_n, "log2 of scrypt's N for password hashes")
      ->envname("KEYLEDGER_SCRYPT_COST")
      ->check(CLI::Range(10, 20))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& parse_error) {
    // --help is a "parse error" that succeeds: CLI11 prints it.
    if (parse_error.get_exit_code() == 0) return ConfigExit{app.exit(parse_error), Status::ok()};
    return bad_flag(std::string(parse_error.what()) + " (keyledgerd --help lists every flag)",
                    parse_error.get_exit_code());
  }
  if (!parse_endpoint(listen, config.listen))
    return bad_flag("--listen must be HOST:PORT, got '" + listen + "'");
  if (!verify_listen.empty()) {
    Endpoint endpoint;
    if (!parse_endpoint(verify_listen, endpoint))
      return bad_flag("--verify-listen must be HOST:PORT, got '" + verify_listen + "'");
    config.verify_listen = endpoint;
  }
  config.last_use_flush_interval = std::chrono::seconds(flush_seconds);
  config.read_timeout = std::chrono::seconds(read_timeout_seconds);
  config.sign_in_failure_window = std::chrono::seconds(failure_window_seconds);
  config.lockout = std::chrono::seconds(lockout_seconds);
  config.max_lockout = std::chrono::seconds(max_lockout_seconds);
  if (config.max_lockout < config.lockout)
    return bad_flag("--max-lockout (" + std::to_string(max_lockout_seconds) +
                    "s) is shorter than --lockout (" + std::to_string(lockout_seconds) + "s)");
  if (config.pepper_file.empty()) config.pepper_file = config.data_dir + "/pepper";
  return config;
}

}  // namespace keyledger::server
