// keyledgerd's NATS flags (issue 20): --nats, --nats-stream, --nats-user,
// --nats-password-file, --nats-ca and --nats-replicas, declared and then checked once
// parsed. The password is read from its file at start, so a bad file is a
// bad flag, and never appears in a message.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/status.h"
#include "server/daemon/config.h"

namespace keyledger::server {

// What the NATS flags hold as given, before finish_nats_config.
struct NatsFlags {
  std::string urls;
  std::string password_file;
  CLI::Option* nats = nullptr;
  CLI::Option* stream = nullptr;
  CLI::Option* user = nullptr;
  CLI::Option* ca = nullptr;
  CLI::Option* replicas = nullptr;
};

void add_nats_flags(CLI::App& app, ServerConfig& config, NatsFlags& flags);

// Checks the NATS flags and fills `config.nats` (URLs, the password read
// from its file): kInvalidArgument (kBadFlag) with one sentence for a bad
// URL or stream name, a credential flag without its pair or without --nats,
// or a password file that is missing, empty, too big, or open to other
// users (it must be 0600 or stricter, like the pepper).
Status finish_nats_config(const NatsFlags& flags, ServerConfig& config);

}  // namespace keyledger::server
