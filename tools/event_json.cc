#include "tools/event_json.h"

#include "core/hash.h"
#include "core/time_format.h"

namespace keyledger::tools {
namespace {

struct PayloadFields {
  nlohmann::ordered_json& out;
  void operator()(const UserCreated& e) {
    out["user"] = e.user_id;
    out["privilege"] = privilege_name(e.privilege);
  }
  void operator()(const UserPrivilegeChanged& e) {
    out["user"] = e.user_id;
    out["privilege"] = privilege_name(e.privilege);
  }
  void operator()(const UserDisabled& e) { out["user"] = e.user_id; }
  void operator()(const UserEnabled& e) { out["user"] = e.user_id; }
  void operator()(const PasswordChanged& e) { out["user"] = e.user_id; }
  void operator()(const UserLocked& e) {
    out["user"] = e.user_id;
    out["reason"] = e.reason;
  }
  void operator()(const UserUnlocked& e) { out["user"] = e.user_id; }
  void operator()(const KeyCreated& e) {
    out["key_id"] = e.key_id;
    out["owner"] = e.owner;
    out["name"] = e.name;
  }
  void operator()(const KeyRenamed& e) {
    out["key_id"] = e.key_id;
    out["name"] = e.name;
  }
  void operator()(const KeyDeleted& e) {
    out["key_id"] = e.key_id;
    out["reason"] = e.reason;
  }
  void operator()(const KeyUsed& e) {
    out["key_id"] = e.key_id;
    out["client_ip"] = e.client_ip;
    out["used_at"] = format_rfc3339(e.used_at_ns);
  }
};

}  // namespace

nlohmann::ordered_json event_to_json(const Event& event) {
  nlohmann::ordered_json out = {{"seq", event.seq},
                                {"time", format_rfc3339(event.time_ns)},
                                {"time_ns", std::to_string(event.time_ns)},
                                {"type", std::string(event_type_name(event.payload))},
                                {"actor", event.origin.actor},
                                {"actor_ip", event.origin.actor_ip},
                                {"request_id", event.origin.request_id},
                                {"prev_hash", to_hex(event.prev_hash)}};
  std::visit(PayloadFields{out}, event.payload);
  // Absent is null, never "" (e.g. the actor_ip of an event the server caused).
  for (auto& value : out)
    if (value.is_string() && value.get_ref<const std::string&>().empty()) value = nullptr;
  return out;
}

}  // namespace keyledger::tools
