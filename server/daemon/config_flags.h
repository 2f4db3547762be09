// keyledgerd's flags, declared on a CLI11 app in groups (config.cc's
// parse_config adds them in this file's order, the order --help shows).
// Each flag is also read from the environment variable named with it.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "server/daemon/config.h"

namespace keyledger::server {

// What keyledgerd is, its version (--version), its log and its exit codes,
// for --help.
void describe_keyledgerd(CLI::App& app);

// Where keyledgerd serves and keeps its data. --listen and --verify-listen
// are read as text into `listen` and `verify_listen`, for the caller to
// parse.
void add_serving_flags(CLI::App& app, ServerConfig& config, std::string& listen,
                       std::string& verify_listen);

// What clients are told and believed, and how often their keys' last use
// is persisted (`flush_seconds`).
void add_client_flags(CLI::App& app, ServerConfig& config, unsigned& flush_seconds);

// The limits on failed sign-ins and verifications, the durations in
// seconds (`failure_window_seconds`, `lockout_seconds`,
// `max_lockout_seconds`).
void add_abuse_limit_flags(CLI::App& app, ServerConfig& config, unsigned& failure_window_seconds,
                           unsigned& lockout_seconds, unsigned& max_lockout_seconds);

// The limits on connections and on a request's time
// (`read_timeout_seconds`).
void add_connection_flags(CLI::App& app, ServerConfig& config, unsigned& read_timeout_seconds);

// Logging, durability, password hashing and recovery at start.
void add_operation_flags(CLI::App& app, ServerConfig& config);

// Read-your-writes: how long a request for a seq not yet applied waits
// (`min_seq_wait_ms`, milliseconds).
void add_read_your_writes_flags(CLI::App& app, unsigned& min_seq_wait_ms);

// What makes this node a follower (issue 20; the NATS flags are
// config_nats.h's). --max-staleness is read as text into `max_staleness`
// for the caller to parse (parse_short_duration).
void add_follower_flags(CLI::App& app, ServerConfig& config, std::string& max_staleness);

// "250ms", "10s", "2m", or a bare number of seconds: the duration in
// milliseconds; nullopt for anything else (a negative, a fraction, an
// unknown unit, an overflow).
std::optional<std::chrono::milliseconds> parse_short_duration(std::string_view text);

// A leader's bound on unpublished events (issue 20). --max-unpublished is
// read as text into `max_unpublished` for the caller to parse
// (parse_short_duration).
void add_publisher_flags(CLI::App& app, std::string& max_unpublished);

}  // namespace keyledger::server
