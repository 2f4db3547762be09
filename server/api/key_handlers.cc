#include "server/api/key_handlers.h"

#include "core/token.h"
#include "server/api/request_bodies.h"
#include "server/http/json_body.h"

namespace keyledger::server {
namespace {

// The most events one history answers with.
constexpr std::size_t kMaxKeyEvents = 10'000;

Json key_event_json(const projections::AuditRow& row) {
  Json event = {{"seq", row.seq},
                {"time", rfc3339(row.time_ns)},
                {"action", row.action},
                {"actor", row.actor},
                {"actor_ip", row.actor_ip.empty() ? Json(nullptr) : Json(row.actor_ip)}};
  if (!row.name.empty()) event["name"] = row.name;
  if (row.action == projections::kKeyUsedAction) {
    event["client_ip"] = row.client_ip;
    event["used_at"] = rfc3339(row.used_at_ns);
  }
  return event;
}

}  // namespace

KeyHandlers::KeyHandlers(KeyOptions options, Authenticator& auth, const KeyDirectory& keys,
                         CommandSink& commands, const CommitAnswers& answers,
                         const AuditSource& audit, BoundedWork& scans,
                         const SecretHasher& secret_hasher, RandomSource& random)
    : options_(std::move(options)),
      auth_(auth),
      keys_(keys),
      commands_(commands),
      answers_(answers),
      audit_(audit),
      scans_(scans),
      secret_hasher_(secret_hasher),
      random_(random) {}

Json KeyHandlers::key_json(const KeyRecord& key) const {
  LastUse last{key.last_used_ip, key.last_used_at_ns};
  if (auto latest = keys_.latest_use(key.key_id); latest && latest->at_ns >= last.at_ns)
    last = *latest;
  return {{"id", key.key_id},
          {"name", key.name},
          {"created_at", rfc3339(key.created_at_ns)},
          {"last_used_ip", last.ip.empty() ? Json(nullptr) : Json(last.ip)},
          {"last_used_at", rfc3339(last.at_ns)}};
}

void KeyHandlers::credentials(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = auth_.require(*exchange, reply);
  if (!caller) return;
  Json keys = Json::array();
  for (const auto& key : keys_.live_keys_of(caller->user_id)) keys.push_back(key_json(key));
  const std::string& endpoint = options_.api_endpoint;
  std::string base = endpoint;
  if (base.size() >= 3 && base.substr(base.size() - 3) == "/v1") base.resize(base.size() - 3);
  reply(Answer::ok(
      {{"api_endpoint", endpoint}, {"docs_url", base + "/docs"}, {"keys", std::move(keys)}}));
}

std::optional<std::string> KeyHandlers::new_name(const ExchangePtr& exchange, const Reply& reply) {
  auto json = read_json_body(*exchange, reply, {"name"});
  if (!json) return std::nullopt;
  auto name = required_string(*json, "name");
  if (!name.is_ok()) {
    reply(name.status());
    return std::nullopt;
  }
  return std::move(name).value();
}

void KeyHandlers::create_key(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = auth_.require(*exchange, reply);
  if (!caller) return;
  auto name = new_name(exchange, reply);
  if (!name) return;
  Token token = generate_token(options_.token_prefix, random_);
  const Hash256 secret_hash = secret_hasher_.hash(token.key_id, token.secret);
  // Decided and made durable on the writer thread; answered on this
  // connection's. The token text lives only in this closure and the one
  // response.
  auto answer = [token](const CommittedEvent& committed) {
    const auto& created = std::get<KeyCreated>(committed.payload);
    return Answer::created({{"id", created.key_id},
                            {"name", created.name},
                            {"key", token.to_string()},
                            {"created_at", rfc3339(committed.time_ns)}});
  };
  commands_.submit(CreateKey{token.key_id, caller->user_id, *name, secret_hash},
                   origin_of(*exchange, caller->user_id),
                   answers_.reply_on_connection_thread(exchange, reply, std::move(answer)));
}

void KeyHandlers::rename_key(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = auth_.require(*exchange, reply);
  if (!caller) return;
  auto name = new_name(exchange, reply);
  if (!name) return;
  const std::string key_id = exchange->path_params[0];
  auto answer = [this, key_id](const CommittedEvent&) {
    auto key = keys_.key(key_id);
    return Answer::ok(key ? key_json(*key) : Json::object());
  };
  commands_.submit(RenameKey{key_id, caller->user_id, *name}, origin_of(*exchange, caller->user_id),
                   answers_.reply_on_connection_thread(exchange, reply, std::move(answer)));
}

void KeyHandlers::delete_key(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = auth_.require(*exchange, reply);
  if (!caller) return;
  std::string reason = "deleted by owner";
  if (auto it = exchange->query.find("reason"); it != exchange->query.end()) reason = it->second;
  commands_.submit(DeleteKey{exchange->path_params[0], caller->user_id, reason},
                   origin_of(*exchange, caller->user_id),
                   answers_.reply_on_connection_thread(
                       exchange, reply, [](const auto&) { return Answer::no_content(); }));
}

void KeyHandlers::key_events(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = auth_.require(*exchange, reply);
  if (!caller) return;
  const std::string key_id = exchange->path_params[0];
  auto key = keys_.key(key_id);
  if (!key || key->owner != caller->user_id) return reply(ApiError::kKeyNotFound);
  scans_.post(reply, [this, reply, key_id, created_seq = key->created_seq, owner = key->owner] {
    reply(key_history(key_id, created_seq, owner));
  });
}

Answer KeyHandlers::key_history(const std::string& key_id, std::uint64_t created_seq,
                                const std::string& owner) const {
  projections::AuditFilter filter;
  filter.key_id = key_id;
  filter.include_use = true;
  Json events = Json::array();
  // Nothing about a key precedes its creation.
  Status scanned = audit_.scan(
      created_seq > 0 ? created_seq - 1 : 0, filter, [&](const std::string&) { return owner; },
      [&](const projections::AuditRow& row) {
        events.push_back(key_event_json(row));
        return events.size() < kMaxKeyEvents;
      });
  if (!scanned.is_ok()) return scanned;
  return Answer::ok({{"key_id", key_id}, {"events", std::move(events)}});
}

}  // namespace keyledger::server
