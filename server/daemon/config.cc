#include "server/daemon/config.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <optional>

#include "server/daemon/config_flags.h"
#include "server/daemon/config_nats.h"
#include "server/replication/key_uses_message.h"

namespace keyledger::server {
namespace {

// A bad flag ends the process with `exit_code`: 2, or CLI11's code for the
// kind of mistake.
ConfigExit bad_flag(std::string message, int exit_code = 2) {
  return ConfigExit{exit_code, invalid_argument(Reason::kBadFlag, std::move(message))};
}

// --max-staleness, --leader-url and --node-name, and what a follower needs and refuses
// (after the NATS flags are checked).
std::optional<ConfigExit> check_follower_flags(ServerConfig& config,
                                               const std::string& max_staleness) {
  const auto staleness = parse_short_duration(max_staleness);
  if (!staleness || *staleness < std::chrono::milliseconds(10) ||
      *staleness > std::chrono::hours(1))
    return bad_flag("--max-staleness must be a duration from 10ms to 1h (250ms, 10s, 1m), got '" +
                    max_staleness + "'");
  config.max_staleness = *staleness;
  // Checked on a leader too, which ignores both: one environment may serve
  // every node of a cluster.
  // The URL is shown to every caller of a follower (not_leader's context):
  // credentials in it would be too, so they are refused first, and never
  // echoed.
  if (!config.leader_url.empty()) {
    const std::size_t scheme_end = config.leader_url.find("://");
    std::string_view rest(config.leader_url);
    if (scheme_end != std::string::npos) rest.remove_prefix(scheme_end + 3);
    if (rest.substr(0, rest.find('/')).find('@') != std::string_view::npos)
      return bad_flag(
          "--leader-url must not carry credentials (user:password@): followers show it to every "
          "caller");
  }
  if (!config.leader_url.empty() && !config.leader_url.starts_with("http://") &&
      !config.leader_url.starts_with("https://"))
    return bad_flag("--leader-url must be an http:// or https:// URL, got '" + config.leader_url +
                    "'");
  if (!config.node_name.empty())
    if (Status name = replication::check_node_name(config.node_name); !name.is_ok())
      return bad_flag("--node-name: " + name.message() + ", got '" + config.node_name + "'");
  if (!config.follower) return std::nullopt;
  if (config.nats.urls.empty())
    return bad_flag("--follower needs --nats: the NATS servers of the leader's stream");
  if (!config.unlock_users.empty())
    return bad_flag("--unlock is the leader's: a follower changes no user");
  return std::nullopt;
}

// --max-unpublished, a leader's bound on how long an acknowledged write may
// stay out of the stream.
std::optional<ConfigExit> check_publisher_flags(ServerConfig& config,
                                                const std::string& max_unpublished) {
  const auto bound = parse_short_duration(max_unpublished);
  if (!bound || *bound < std::chrono::milliseconds(1) || *bound > std::chrono::hours(1))
    return bad_flag("--max-unpublished must be a duration from 1ms to 1h (250ms, 1s, 2m), got '" +
                    max_unpublished + "'");
  config.max_unpublished = *bound;
  return std::nullopt;
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
  CLI::App app;
  describe_keyledgerd(app);
  std::string listen = "127.0.0.1:8080";
  unsigned flush_seconds = static_cast<unsigned>(config.last_use_flush_interval.count());
  unsigned read_timeout_seconds = static_cast<unsigned>(config.read_timeout.count());
  std::string verify_listen;
  unsigned failure_window_seconds = static_cast<unsigned>(config.sign_in_failure_window.count());
  unsigned lockout_seconds = static_cast<unsigned>(config.lockout.count());
  unsigned max_lockout_seconds = static_cast<unsigned>(config.max_lockout.count());
  add_serving_flags(app, config, listen, verify_listen);
  add_client_flags(app, config, flush_seconds);
  add_abuse_limit_flags(app, config, failure_window_seconds, lockout_seconds, max_lockout_seconds);
  add_connection_flags(app, config, read_timeout_seconds);
  add_operation_flags(app, config);
  NatsFlags nats_flags;
  add_nats_flags(app, config, nats_flags);
  unsigned min_seq_wait_ms = static_cast<unsigned>(config.min_seq_wait.count());
  add_read_your_writes_flags(app, min_seq_wait_ms);
  std::string max_staleness = "10s";
  add_follower_flags(app, config, max_staleness);
  std::string max_unpublished = "1s";
  add_publisher_flags(app, max_unpublished);
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
  config.min_seq_wait = std::chrono::milliseconds(min_seq_wait_ms);
  config.sign_in_failure_window = std::chrono::seconds(failure_window_seconds);
  config.lockout = std::chrono::seconds(lockout_seconds);
  config.max_lockout = std::chrono::seconds(max_lockout_seconds);
  if (config.max_lockout < config.lockout)
    return bad_flag("--max-lockout (" + std::to_string(max_lockout_seconds) +
                    "s) is shorter than --lockout (" + std::to_string(lockout_seconds) + "s)");
  if (Status nats = finish_nats_config(nats_flags, config); !nats.is_ok())
    return ConfigExit{2, std::move(nats)};
  if (auto why = check_follower_flags(config, max_staleness)) return std::move(*why);
  if (auto why = check_publisher_flags(config, max_unpublished)) return std::move(*why);
  if (config.pepper_file.empty()) config.pepper_file = config.data_dir + "/pepper";
  return config;
}

}  // namespace keyledger::server
