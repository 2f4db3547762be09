// keyledgerd's settings: command-line flags, each also readable from an
// environment variable (KEYLEDGER_<NAME>), with the defaults a newcomer
// gets from `tools/run.sh`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace keyledger::server {

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
};

// Replication over NATS JetStream (issue 20); off while `urls` is empty.
struct NatsConfig {
  std::vector<std::string> urls;     // --nats: every server of the NATS cluster
  std::string stream = "KEYLEDGER";  // --nats-stream
  std::string user;                  // --nats-user; empty: no credentials
  std::string password;              // read from --nats-password-file; never logged
  std::string ca_file;               // --nats-ca: the CA's PEM for tls:// URLs
  // --nats-replicas: the copies of the stream when the leader creates it
  // (3; 1 for a single NATS server, which cannot hold more).
  int replicas = 3;
};

struct ServerConfig {
  std::string data_dir = "./keyledger-data";
  Endpoint listen;
  std::optional<Endpoint> verify_listen;  // the binary verify port; off unless given
  std::string pepper_file;                // default: <data_dir>/pepper
  unsigned threads = 0;                   // 0: one per core
  std::string token_prefix = "kl";
  std::chrono::seconds last_use_flush_interval{60};
  std::vector<std::string> trusted_proxies;
  std::string public_url;  // base URL shown as the API endpoint; default from --listen
  bool sync = true;
  // Sign-in and verification abuse limits.
  unsigned max_failed_sign_ins = 10;
  // Failed sign-ins older than this stop counting towards the lock.
  std::chrono::seconds sign_in_failure_window{15 * 60};
  // The first lock's length; a repeat doubles it, up to max_lockout
  // (core/lockout.h).
  std::chrono::seconds lockout{15 * 60};
  std::chrono::seconds max_lockout{24 * 60 * 60};
  unsigned max_failed_verifications_per_minute = 60;
  unsigned max_failed_sign_ins_per_ip_per_minute = 30;
  std::chrono::seconds read_timeout{15};
  // How long a verification for a seq not yet applied waits for it.
  std::chrono::milliseconds min_seq_wait{1000};
  // Open connections, over the HTTP and verify ports together and per
  // client IP; beyond them a new connection is closed at once.
  unsigned max_connections = 10'000;
  unsigned max_connections_per_ip = 512;
  std::string log_level = "info";
  bool access_log = true;
  int scrypt_log2_n = 15;
  // Users to unlock at start (recovery when every admin is locked out).
  std::vector<std::string> unlock_users;
  // Bind the ledger to the pepper file given, replacing the fingerprint it
  // stores (recovery: the ledger was bound to a wrong pepper).
  bool rebind_pepper = false;
  NatsConfig nats;
  // A follower (--follower): applies the leader's events from the stream
  // and serves verification only; management calls answer 503 not_leader
  // with `leader_url`. Past `max_staleness` without confirming it holds
  // every event of the stream, verification answers 503 stale_replica.
  bool follower = false;
  std::string leader_url;
  std::chrono::milliseconds max_staleness{10'000};
  // How a follower names itself to the leader (its key uses, the cluster
  // view); empty: hostname:http-port, made at start.
  std::string node_name;
  // A leader with --nats refuses writes while its oldest event not yet in
  // the stream was committed longer ago than this (--max-unpublished).
  std::chrono::milliseconds max_unpublished{1000};
};

// Why parse_config ends the process at once, with `exit_code`: after
// printing --help or --version (text on stdout, not a log line; `why` is
// ok), or on a bad flag, which `why` (kInvalidArgument, kBadFlag) then
// describes in its message, one sentence for the caller to log.
struct ConfigExit {
  int exit_code = 0;
  Status why;
};

// Parses argv and the environment: the config to run with, or how to end.
std::variant<ServerConfig, ConfigExit> parse_config(int argc, char** argv);

// "127.0.0.1:8080", "[::1]:80", ":8080" (loopback). False on a bad value.
bool parse_endpoint(const std::string& text, Endpoint& out);

}  // namespace keyledger::server
