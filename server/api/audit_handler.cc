#include "server/api/audit_handler.h"

#include <charconv>

namespace keyledger::server {
namespace {

// Absent values are null, as in `keyledger audit`'s JSON.
Json text_or_null(const std::string& text) { return text.empty() ? Json(nullptr) : Json(text); }

Json audit_row_json(const projections::AuditRow& row) {
  Json out = {{"seq", row.seq},
              {"time", rfc3339(row.time_ns)},
              {"action", row.action},
              {"actor", row.actor},
              {"actor_ip", text_or_null(row.actor_ip)},
              {"request_id", text_or_null(row.request_id)}};
  if (!row.key_id.empty()) out["key_id"] = row.key_id;
  if (!row.owner.empty()) out[row.key_id.empty() ? "user" : "owner"] = row.owner;
  if (!row.name.empty()) out["name"] = row.name;
  if (!row.privilege.empty()) out["privilege"] = row.privilege;
  if (!row.reason.empty()) out["reason"] = row.reason;
  if (row.action == projections::kKeyUsedAction) {
    out["client_ip"] = row.client_ip;
    out["used_at"] = rfc3339(row.used_at_ns);
  }
  return out;
}

StatusOr<std::uint64_t> parse_unsigned(const std::string& text, const std::string& field) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    return invalid_argument(Reason::kInvalidParameter, "'" + field + "' must be a whole number",
                            field);
  return value;
}

// Applies one query parameter to `out`.
Status apply_parameter(const std::string& name, const std::string& value, AuditQuery& out) {
  projections::AuditFilter& filter = out.filter;
  if (name == "key") {
    filter.key_id = value;
  } else if (name == "user") {
    filter.owner = value;
  } else if (name == "actor") {
    filter.actor = value;
  } else if (name == "action") {
    auto actions = projections::parse_audit_actions(value);
    if (!actions.is_ok()) return actions.status();
    filter.actions = std::move(*actions);
  } else if (name == "since" || name == "until") {
    auto time = parse_time(value);
    if (!time)
      return invalid_argument(Reason::kInvalidParameter,
                              "'" + name + "' must be RFC 3339 or a date", name);
    (name == "since" ? filter.since_ns : filter.until_ns) = *time;
  } else if (name == "after_seq" || name == "limit") {
    auto number = parse_unsigned(value, name);
    if (!number.is_ok()) return number.status();
    (name == "limit" ? out.limit : out.after_seq) = *number;
  } else if (name == "include_use") {
    filter.include_use = value == "true" || value == "1";
  } else {
    return invalid_argument(Reason::kInvalidParameter, "unknown parameter '" + name + "'", name);
  }
  return Status::ok();
}

}  // namespace

StatusOr<AuditQuery> parse_audit_query(const std::multimap<std::string, std::string>& query) {
  AuditQuery out;
  for (const auto& [name, value] : query)
    KEYLEDGER_RETURN_IF_ERROR(apply_parameter(name, value, out));
  if (out.limit < 1 || out.limit > 1000)
    return invalid_argument(Reason::kInvalidParameter, "'limit' must be 1 to 1000", "limit");
  return out;
}

void AuditHandler::audit(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = auth_.require(*exchange, reply, Privilege::kAuditor);
  if (!caller) return;
  auto query = parse_audit_query(exchange->query);
  if (!query.is_ok()) return reply(query.status());
  scans_.post(reply, [this, reply, query = std::move(query).value()] { reply(audit_page(query)); });
}

Answer AuditHandler::audit_page(const AuditQuery& query) const {
  Json rows = Json::array();
  std::uint64_t last_seq = 0;
  bool more = false;
  Status scanned = audit_.scan(
      query.after_seq, query.filter,
      [this](const std::string& key_id) {
        auto key = keys_.key(key_id);
        return key ? key->owner : std::string();
      },
      [&](const projections::AuditRow& row) {
        if (rows.size() == query.limit) {
          more = true;
          return false;
        }
        rows.push_back(audit_row_json(row));
        last_seq = row.seq;
        return true;
      });
  if (!scanned.is_ok()) return scanned;
  return Answer::ok(
      {{"events", std::move(rows)}, {"next_after_seq", more ? Json(last_seq) : Json(nullptr)}});
}

}  // namespace keyledger::server
