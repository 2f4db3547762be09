#include "server/daemon/config.h"

#include <CLI/CLI.hpp>
#include <charconv>

#include "server/daemon/config_flags.h"
#include "server/replication/jetstream_stream.h"

namespace keyledger::server {
namespace {

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

std::optional<std::chrono::milliseconds> parse_duration_ms(std::string_view text) {
  std::uint64_t number = 0;
  const char* const end = text.data() + text.size();
  auto [rest, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc() || rest == text.data() || number > 1'000'000'000) return std::nullopt;
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  if (unit == "ms") return std::chrono::milliseconds(number);
  if (unit == "s" || unit.empty()) return std::chrono::seconds(number);
  if (unit == "m") return std::chrono::minutes(number);
  return std::nullopt;
}

namespace {

// --nats and --max-unpublished, into `config`; nullopt when they are good.
std::optional<ConfigExit> take_replication_flags(ServerConfig& config,
                                                 const std::string& max_unpublished) {
  for (const std::string& url : config.nats_urls)
    if (!url.starts_with("nats://") && !url.starts_with("tls://"))
      return bad_flag("--nats takes nats://HOST:PORT or tls://HOST:PORT URLs, got '" + url + "'");
  if (!replication::valid_stream_name(config.nats_stream))
    return bad_flag("--nats-stream takes 1 to 64 letters, digits, '-' and '_', got '" +
                    config.nats_stream + "'");
  const auto bound = parse_duration_ms(max_unpublished);
  if (!bound || *bound < std::chrono::milliseconds(1) || *bound > std::chrono::hours(1))
    return bad_flag(
        "--max-unpublished must be a duration from 1ms to 1h (250ms, 1s, 2m; a plain number is "
        "seconds), got '" +
        max_unpublished + "'");
  config.max_unpublished = *bound;
  return std::nullopt;
}

}  // namespace

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
  std::string max_unpublished = "1s";
  add_replication_flags(app, config, max_unpublished);
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
  if (auto refused = take_replication_flags(config, max_unpublished)) return std::move(*refused);
  if (config.pepper_file.empty()) config.pepper_file = config.data_dir + "/pepper";
  return config;
}

}  // namespace keyledger::server
