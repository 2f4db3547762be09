// What the abuse, isolation and secrets suites share: proving that a client
// other than the attacker is still served normally, reading a metric, and
// holding a connection open in a way that proves the server accepted it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/loopback.h"
#include "tests/support/server_process.h"

namespace keyledger::testing {

// The well-behaved client is 127.0.0.1; attackers use other addresses.
inline constexpr const char* kGoodClientIp = "127.0.0.1";

// From 127.0.0.1: /healthz answers, the admin signs in, creates a key, the
// key verifies, and the key is deleted again. REQUIREs each step.
void require_served_normally(unsigned short port);

// The value of an unlabelled metric from /metrics (asked from 127.0.0.1),
// or nullopt when it is not there.
std::optional<double> metric_value(unsigned short port, const std::string& name);

// A keep-alive connection from `source_ip` on which one request was
// answered, so the server is known to have accepted it (and to hold its
// slot) — or a not-connected one when the server closed it instead.
LoopbackConnection held_connection(const std::string& source_ip, unsigned short port);

// Creates `user` through `admin` (a client signed in as an admin) and
// REQUIREs 201. The password is "<user>-password-1" unless given.
void create_user(HttpClient& admin, const std::string& user, const std::string& privilege = "user",
                 const std::string& password = "");

// 127.0.0.<n>: distinct client addresses for attackers (n >= 2).
std::string attacker_ip(int n);

// How many times larger than the default (short) run the attacks are:
// KEYLEDGER_ABUSE_SCALE, default 1. The long run uses e.g. 10.
int abuse_scale();

}  // namespace keyledger::testing
