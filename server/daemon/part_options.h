// What each part of keyledgerd is given, read from its config: pure
// functions, so that each translation of a flag is tested alone.
#pragma once

#include <cstdint>
#include <string>

#include "server/api/api_parts.h"
#include "server/api/sign_in_guard.h"
#include "server/daemon/config.h"
#include "server/http/connection_limiter.h"
#include "server/http/http_server.h"
#include "server/http/trusted_peers.h"

namespace keyledger::server {

// HOST as it appears in a URL or HOST:PORT ("[::1]" for IPv6).
std::string url_host(const std::string& host);

// "http://HOST:PORT", HOST as url_host writes it.
std::string http_url(const std::string& host, std::uint16_t port);

// The /v1 URL shown to users: --public-url (without its trailing slashes),
// or the address the HTTP port is bound to, `http_port` being its port.
std::string api_endpoint(const ServerConfig& config, std::uint16_t http_port);

// --threads, where 0 means one I/O thread per core (at least one).
unsigned io_thread_count(const ServerConfig& config);

// --max-connections and --max-connections-per-ip; the trusted proxies
// carry many clients' connections, so only the total applies to them.
ConnectionLimits connection_limits(const ServerConfig& config, const TrustedPeers& trusted_proxies);

// --read-timeout; the other HTTP limits keep their defaults.
HttpLimits http_limits(const ServerConfig& config);

// --max-failed-sign-ins, --sign-in-failure-window, --lockout, --max-lockout.
SignInPolicy sign_in_policy(const ServerConfig& config);

// --token-prefix, --max-failed-sign-ins-per-ip.
ApiOptions api_options(const ServerConfig& config);

}  // namespace keyledger::server
