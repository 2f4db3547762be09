#include "server/daemon/part_options.h"

#include <algorithm>
#include <thread>

#include "core/text.h"

namespace keyledger::server {

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string http_url(const std::string& host, std::uint16_t port) {
  return "http://" + url_host(host) + ":" + std::to_string(port);
}

std::string api_endpoint(const ServerConfig& config, std::uint16_t http_port) {
  const std::string base =
      config.public_url.empty() ? http_url(config.listen.host, http_port) : config.public_url;
  return std::string(trim_trailing(base, "/")) + "/v1";
}

unsigned io_thread_count(const ServerConfig& config) {
  return config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
}

ConnectionLimits connection_limits(const ServerConfig& config,
                                   const TrustedPeers& trusted_proxies) {
  return {config.max_connections, config.max_connections_per_ip, trusted_proxies};
}

HttpLimits http_limits(const ServerConfig& config) {
  HttpLimits limits;
  limits.read_timeout = config.read_timeout;
  return limits;
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

ApiOptions api_options(const ServerConfig& config) {
  ApiOptions options;
  options.token_prefix = config.token_prefix;
  options.max_failed_sign_ins_per_ip_per_minute = config.max_failed_sign_ins_per_ip_per_minute;
  return options;
}

}  // namespace keyledger::server
