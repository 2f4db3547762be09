// The audit's action names: one per event type, the same names as
// event_type_name (export's "type"), and the filter syntax shared by
// `keyledger audit --action` and GET /v1/audit?action=.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "core/event.h"
#include "projections/audit.h"

using namespace keyledger;
using namespace keyledger::projections;

TEST_CASE("every event type has one audit action, its type name", "[projections][audit]") {
  const std::vector<std::string> expected = {"key_created",           "key_deleted",
                                             "key_renamed",           "key_used",
                                             "user_created",          "user_disabled",
                                             "user_enabled",          "user_locked",
                                             "user_password_changed", "user_privilege_changed",
                                             "user_unlocked"};
  CHECK(audit_actions() == expected);
  CHECK(audit_action(PasswordChanged{}) == "user_password_changed");
  CHECK(audit_action(KeyUsed{}) == kKeyUsedAction);
  CHECK(audit_action(KeyCreated{}) == event_type_name(EventPayload(KeyCreated{})));
}

TEST_CASE("an action list takes the current names, wildcards and the older spellings",
          "[projections][audit]") {
  using Actions = std::set<std::string>;
  auto parsed = [](std::string_view list) {
    auto actions = parse_audit_actions(list);
    INFO(list << ": " << actions.status().to_string());
    REQUIRE(actions.is_ok());
    return *actions;
  };
  CHECK(parsed("").empty());
  CHECK(parsed("key_deleted") == Actions{"key_deleted"});
  CHECK(parsed("key_created,user_locked") == Actions{"key_created", "user_locked"});
  CHECK(parsed("key_*") == Actions{"key_created", "key_deleted", "key_renamed", "key_used"});
  CHECK(parsed("user_*").size() == 7);
  CHECK(parsed("user_*").count("user_password_changed") == 1);
  CHECK(parsed("key_used,key_*") == parsed("key_*"));
  // Older spellings, on input only.
  CHECK(parsed("created,renamed,deleted,used") == parsed("key_*"));
  CHECK(parsed("user-*") == parsed("user_*"));
  CHECK(parsed("user-locked,user-password-changed") ==
        Actions{"user_locked", "user_password_changed"});
  CHECK(parsed("password_changed") == Actions{"user_password_changed"});
}

TEST_CASE("an action list with an empty or unknown item is refused, naming it",
          "[projections][audit]") {
  struct Case {
    std::string list, message;
  };
  for (const auto& c : std::vector<Case>{
           {"exploded", "unknown action 'exploded'"},
           {"key_created,key_exploded", "unknown action 'key_exploded'"},
           {"Key_Created", "unknown action 'Key_Created'"},
           {"*", "unknown action '*'"},
           {"key_", "unknown action 'key_'"},
           {"created,,deleted", "empty action in the list 'created,,deleted'"},
           {",created", "empty action in the list ',created'"},
           {"created,", "empty action in the list 'created,'"},
           {",", "empty action in the list ','"},
       }) {
    auto actions = parse_audit_actions(c.list);
    INFO(c.list);
    REQUIRE_FALSE(actions.is_ok());
    CHECK(actions.status().code() == StatusCode::kInvalidArgument);
    CHECK(actions.status().reason() == "invalid_parameter");
    CHECK(actions.status().field() == "action");
    CHECK(actions.status().message() == c.message);
  }
}
