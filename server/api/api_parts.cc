#include "server/api/api_parts.h"

#include <array>

#include "core/hash.h"

namespace keyledger::server {
namespace {

// The hash of a random password nobody knows, checked when a sign-in names
// no user (SessionOptions::dummy_password_hash).
std::string dummy_password_hash(const PasswordHasher& hasher, RandomSource& random) {
  std::array<std::uint8_t, 16> password{};
  random.fill(password);
  auto hash = hasher.hash(to_hex(password));
  return hash.is_ok() ? std::move(hash).value() : std::string();
}

SessionOptions session_options(const ApiDependencies& deps) {
  SessionOptions options;
  options.dummy_password_hash = dummy_password_hash(deps.password_hasher, deps.random);
  options.max_failed_sign_ins_per_ip_per_minute =
      deps.options.max_failed_sign_ins_per_ip_per_minute;
  options.on_password_chosen = [&file = deps.initial_password](const std::string& user_id) {
    file.password_chosen(user_id);
  };
  return options;
}

}  // namespace

ApiParts::ApiParts(const ApiDependencies& deps)
    : directory_(deps.projection, deps.last_use),
      audit_source_(deps.log),
      pool_(deps.blocking_pool),
      scan_pool_(deps.scan_pool),
      auth_(deps.verifier, deps.sessions, directory_),
      answers_(deps.daemon_log),
      passwords_(pool_, deps.password_hasher, deps.password_checks),
      scans_(scan_pool_, kMaxQueuedScans),
      keys_({deps.options.token_prefix, deps.api_endpoint}, auth_, directory_, deps.writer,
            answers_, audit_source_, scans_, deps.secret_hasher, deps.random),
      users_(auth_, directory_, deps.writer, answers_, passwords_, deps.sessions, deps.sign_ins,
             deps.clock),
      sessions_(session_options(deps), auth_, directory_, deps.sessions, deps.sign_ins, passwords_,
                deps.writer, answers_, deps.clock),
      audit_(auth_, audit_source_, directory_, scans_) {}

}  // namespace keyledger::server
