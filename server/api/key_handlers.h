// The caller's own API keys: GET /v1/credentials, POST /v1/keys,
// PATCH and DELETE /v1/keys/{id}, GET /v1/keys/{id}/events. A caller sees
// and changes only their own keys (who owns a key is decided with the
// commands, in core).
#pragma once

#include <cstdint>
#include <string>

#include "core/random.h"
#include "core/secret_hasher.h"
#include "server/api/answer.h"
#include "server/api/authenticator.h"
#include "server/api/bounded_work.h"
#include "server/api/commit_answers.h"
#include "server/api/ledger_ports.h"

namespace keyledger::server {

struct KeyOptions {
  std::string token_prefix = "kl";  // new keys are <prefix>_<id>_<secret>
  std::string api_endpoint;         // shown to users, e.g. http://127.0.0.1:8080/v1
};

// Thread-safe; what it is given outlives it. A key's history is scanned
// from the log, and answered, as a job of `scans` (never on an I/O thread);
// the caller and the key's owner are checked before, on the calling thread.
class KeyHandlers {
 public:
  KeyHandlers(KeyOptions options, Authenticator& auth, const KeyDirectory& keys,
              CommandSink& commands, const CommitAnswers& answers, const AuditSource& audit,
              BoundedWork& scans, const SecretHasher& secret_hasher, RandomSource& random);

  void credentials(const ExchangePtr& exchange, const Reply& reply);
  void create_key(const ExchangePtr& exchange, const Reply& reply);
  void rename_key(const ExchangePtr& exchange, const Reply& reply);
  void delete_key(const ExchangePtr& exchange, const Reply& reply);
  void key_events(const ExchangePtr& exchange, const Reply& reply);

 private:
  // A key as the list shows it, with its newest use.
  Json key_json(const KeyRecord& key) const;
  // The new name in the body; replies on a bad one.
  std::optional<std::string> new_name(const ExchangePtr& exchange, const Reply& reply);
  // The events of `key` (owned by `owner`), or the scan's failure.
  Answer key_history(const std::string& key_id, std::uint64_t created_seq,
                     const std::string& owner) const;

  const KeyOptions options_;
  Authenticator& auth_;
  const KeyDirectory& keys_;
  CommandSink& commands_;
  const CommitAnswers& answers_;
  const AuditSource& audit_;
  BoundedWork& scans_;
  const SecretHasher& secret_hasher_;
  RandomSource& random_;
};

}  // namespace keyledger::server
