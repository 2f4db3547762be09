// The caller's own API keys: list, create, rename, delete, history; and
// verification of a presented key.
#include "core/token.h"
#include "projections/audit.h"
#include "server/api/api.h"
#include "server/http/json_body.h"

namespace keyledger::server {

Json Api::key_json(const KeyRecord& key) const {
  LastUse last{key.last_used_ip, key.last_used_at_ns};
  if (auto latest = deps_.last_use.latest(key.key_id); latest && latest->at_ns >= last.at_ns)
    last = *latest;
  return {{"id", key.key_id},
          {"name", key.name},
          {"created_at", rfc3339(key.created_at_ns)},
          {"last_used_ip", last.ip.empty() ? Json(nullptr) : Json(last.ip)},
          {"last_used_at", rfc3339(last.at_ns)}};
}

void Api::credentials(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond);
  if (!caller) return;
  Json keys = Json::array();
  for (const auto& key : deps_.projection.live_keys_of(caller->user_id))
    keys.push_back(key_json(key));
  std::string base = deps_.api_endpoint;
  if (base.size() >= 3 && base.substr(base.size() - 3) == "/v1") base.resize(base.size() - 3);
  respond(json_response(*exchange, 200,
                        {{"api_endpoint", deps_.api_endpoint},
                         {"docs_url", base + "/docs"},
                         {"keys", std::move(keys)}}));
}

void Api::create_key(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond);
  if (!caller) return;
  auto json = body(*exchange, respond, {"name"});
  if (!json) return;
  auto name = required_string(*json, "name");
  if (!name.is_ok()) return respond(status_response(*exchange, name.status()));
  Token token = generate_token(deps_.options.token_prefix, deps_.random);
  const Hash256 secret_hash = deps_.secret_hasher.hash(token.key_id, token.secret);
  // The token text lives only in this closure and the one response.
  submit(exchange, *caller, CreateKey{token.key_id, caller->user_id, *name, secret_hash}, respond,
         [exchange, token](const writer::CommittedEvent& committed) {
           const auto& created = std::get<KeyCreated>(committed.payload);
           return json_response(*exchange, 201,
                                {{"id", created.key_id},
                                 {"name", created.name},
                                 {"key", token.to_string()},
                                 {"created_at", rfc3339(committed.time_ns)}});
         });
}

void Api::rename_key(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond);
  if (!caller) return;
  auto json = body(*exchange, respond, {"name"});
  if (!json) return;
  auto name = required_string(*json, "name");
  if (!name.is_ok()) return respond(status_response(*exchange, name.status()));
  const std::string key_id = exchange->path_params[0];
  submit(exchange, *caller, RenameKey{key_id, caller->user_id, *name}, respond,
         [this, exchange, key_id](const writer::CommittedEvent&) {
           auto key = deps_.projection.key(key_id);
           return json_response(*exchange, 200, key ? key_json(*key) : Json::object());
         });
}

void Api::delete_key(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond);
  if (!caller) return;
  std::string reason = "deleted by owner";
  if (auto it = exchange->query.find("reason"); it != exchange->query.end()) reason = it->second;
  submit(exchange, *caller, DeleteKey{exchange->path_params[0], caller->user_id, reason}, respond,
         [exchange](const writer::CommittedEvent&) { return empty_response(*exchange, 204); });
}

void Api::key_events(ExchangePtr exchange, Respond respond) {
  auto caller = require(*exchange, respond);
  if (!caller) return;
  const std::string key_id = exchange->path_params[0];
  auto key = deps_.projection.key(key_id);
  if (!key || key->owner != caller->user_id)
    return respond(error_response(*exchange, 404, "key_not_found", "no such key"));
  projections::AuditFilter filter;
  filter.key_id = key_id;
  filter.include_use = true;
  Json events = Json::array();
  const std::string owner = key->owner;
  // Nothing about a key precedes its creation.
  Status scanned = projections::scan_audit(
      deps_.log, key->created_seq > 0 ? key->created_seq - 1 : 0, filter,
      [&](const std::string&) { return owner; },
      [&](const projections::AuditRow& row) {
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
        events.push_back(std::move(event));
        return events.size() < 10'000;
      });
  if (!scanned.is_ok()) return respond(status_response(*exchange, scanned));
  respond(json_response(*exchange, 200, {{"key_id", key_id}, {"events", std::move(events)}}));
}

void Api::verify(ExchangePtr exchange, Respond respond) {
  const PresentedToken presented = presented_token(exchange->request);
  // Two keys verify as neither: nothing is verified, counted or recorded.
  if (presented.presence == PresentedToken::Presence::kAmbiguous)
    return respond(status_response(*exchange, ambiguous_credentials()));
  if (presented.presence == PresentedToken::Presence::kNone)
    return respond(error_response(*exchange, 401, "invalid_credentials", "invalid"));
  std::int64_t retry_after = 0;
  auto verified = deps_.verifier.verify(presented.token, exchange->client_ip, &retry_after);
  if (!verified.is_ok()) {
    HttpResponse response = status_response(*exchange, verified.status());
    if (retry_after > 0) response.set(http::field::retry_after, std::to_string(retry_after));
    return respond(std::move(response));
  }
  exchange->user = verified->user_id;
  respond(verified_key_response(*exchange, verified->user_id, privilege_name(verified->privilege),
                                verified->key_id));
}

}  // namespace keyledger::server
