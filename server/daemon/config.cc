#include "server/daemon/config.h"

#include <CLI/CLI.hpp>
#include <charconv>

#include "server/daemon/config_flags.h"

namespace keyledger::server {

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

bool parse_config(int argc, char** argv, ServerConfig& config, int& exit_code, std::string& error) {
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& parse_error) {
    // --help is a "parse error" that succeeds: CLI11 prints it.
    if (parse_error.get_exit_code() == 0) {
      exit_code = app.exit(parse_error);
      return false;
    }
    error = std::string(parse_error.what()) + " (keyledgerd --help lists every flag)";
    exit_code = parse_error.get_exit_code();
    return false;
  }
  if (!parse_endpoint(listen, config.listen)) {
    error = "--listen must be HOST:PORT, got '" + listen + "'";
    exit_code = 2;
    return false;
  }
  if (!verify_listen.empty()) {
    Endpoint endpoint;
    if (!parse_endpoint(verify_listen, endpoint)) {
      error = "--verify-listen must be HOST:PORT, got '" + verify_listen + "'";
      exit_code = 2;
      return false;
    }
    config.verify_listen = endpoint;
  }
  config.last_use_flush_interval = std::chrono::seconds(flush_seconds);
  config.read_timeout = std::chrono::seconds(read_timeout_seconds);
  config.sign_in_failure_window = std::chrono::seconds(failure_window_seconds);
  config.lockout = std::chrono::seconds(lockout_seconds);
  config.max_lockout = std::chrono::seconds(max_lockout_seconds);
  if (config.max_lockout < config.lockout) {
    error = "--max-lockout (" + std::to_string(max_lockout_seconds) +
            "s) is shorter than --lockout (" + std::to_string(lockout_seconds) + "s)";
    exit_code = 2;
    return false;
  }
  if (config.pepper_file.empty()) config.pepper_file = config.data_dir + "/pepper";
  return true;
}

}  // namespace keyledger::server
