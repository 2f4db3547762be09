#include "core/reasons.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

using namespace keyledger;

namespace {

bool is_snake_case(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z' || name.back() == '_') return false;
  char previous = ' ';
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!allowed || (c == '_' && previous == '_')) return false;
    previous = c;
  }
  return true;
}

// Every name published so far: API error codes, the keyledger tool's
// output and log lines carry them, so none may change or go.
const std::vector<std::string> kPublishedNames = {"address_forbidden",
                                                  "address_in_use",
                                                  "address_not_available",
                                                  "ambiguous_credentials",
                                                  "bad_address",
                                                  "bad_answer",
                                                  "bad_event_key",
                                                  "bad_flag",
                                                  "bad_frame",
                                                  "bad_head",
                                                  "bad_projection_version",
                                                  "cannot_change_self",
                                                  "chain_broken",
                                                  "closed",
                                                  "connection_lost",
                                                  "control_characters",
                                                  "csrf_token_invalid",
                                                  "data_folder_not_private",
                                                  "data_folder_not_writable",
                                                  "event_missing",
                                                  "event_out_of_order",
                                                  "event_seq_mismatch",
                                                  "frame_too_large",
                                                  "head_mismatch",
                                                  "invalid_credentials",
                                                  "invalid_ip",
                                                  "invalid_json",
                                                  "invalid_key_id",
                                                  "invalid_lockout",
                                                  "invalid_min_seq",
                                                  "invalid_parameter",
                                                  "invalid_password_hash",
                                                  "invalid_prefix",
                                                  "invalid_reason",
                                                  "invalid_scrypt_cost",
                                                  "invalid_type",
                                                  "invalid_user_id",
                                                  "invalid_utf8",
                                                  "json_too_deep",
                                                  "key_exists",
                                                  "key_not_found",
                                                  "listen_failed",
                                                  "malformed_token",
                                                  "missing_field",
                                                  "name_control_characters",
                                                  "name_empty",
                                                  "name_invisible_characters",
                                                  "name_too_long",
                                                  "no_commands",
                                                  "not_a_keyledger_database",
                                                  "not_an_object",
                                                  "password_file_unremovable",
                                                  "password_file_unwritable",
                                                  "password_reused",
                                                  "password_too_long",
                                                  "password_too_short",
                                                  "pepper_folder_missing",
                                                  "pepper_mismatch",
                                                  "pepper_missing",
                                                  "pepper_permissions",
                                                  "pepper_too_short",
                                                  "pepper_unreadable",
                                                  "pepper_unwritable",
                                                  "projection_corrupt",
                                                  "projection_mismatch",
                                                  "projection_too_new",
                                                  "rate_limited",
                                                  "read_only",
                                                  "replication_unavailable",
                                                  "reserved_user_id",
                                                  "scrypt_failed",
                                                  "seq_gap",
                                                  "seq_not_reached",
                                                  "shutting_down",
                                                  "stale_replica",
                                                  "storage_corruption",
                                                  "storage_unavailable",
                                                  "stream_access_denied",
                                                  "stream_config_incompatible",
                                                  "stream_fork",
                                                  "stream_message_missing",
                                                  "stream_seq_conflict",
                                                  "stream_unavailable",
                                                  "timeout",
                                                  "too_many_pending",
                                                  "too_many_segments",
                                                  "unchanged",
                                                  "undecodable_event",
                                                  "undecodable_record",
                                                  "unknown_field",
                                                  "unreachable",
                                                  "user_disabled",
                                                  "user_exists",
                                                  "user_not_found"};

}  // namespace

TEST_CASE("every reason but kNone has a unique, non-empty snake_case name", "[core][reasons]") {
  std::set<std::string_view> seen;
  for (const ReasonName& entry : kReasonNames) {
    if (entry.reason == Reason::kNone) continue;
    INFO("reason #" << static_cast<int>(entry.reason) << " '" << entry.name << "'");
    CHECK(is_snake_case(entry.name));
    CHECK(seen.insert(entry.name).second);
  }
  CHECK(seen.size() == kReasonNames.size() - 1);
}

TEST_CASE("the table lists the reasons in the enum's order, each once", "[core][reasons]") {
  for (std::size_t i = 0; i < kReasonNames.size(); ++i)
    CHECK(static_cast<std::size_t>(kReasonNames[i].reason) == i);
}

TEST_CASE("an ok status's reason, kNone, has the empty name", "[core][reasons]") {
  CHECK(reason_name(Reason::kNone).empty());
  CHECK(reason_string(Reason::kNone).empty());
}

TEST_CASE("every reason's name parses back to the reason", "[core][reasons]") {
  for (const ReasonName& entry : kReasonNames) {
    if (entry.reason == Reason::kNone) continue;
    INFO(entry.name);
    CHECK(reason_from_name(entry.name) == entry.reason);
    CHECK(reason_name(entry.reason) == entry.name);
    CHECK(reason_string(entry.reason) == entry.name);
  }
}

TEST_CASE("a name no reason has parses to nothing", "[core][reasons]") {
  for (std::string_view name : {"", "Name_Too_Long", "name_too_long ", " name_too_long",
                                "name-too-long", "name_too", "name_too_long_", "ok"}) {
    INFO("'" << name << "'");
    CHECK_FALSE(reason_from_name(name).has_value());
  }
}

TEST_CASE("no published reason name changes or goes away", "[core][reasons]") {
  std::vector<std::string> names;
  for (const ReasonName& entry : kReasonNames)
    if (entry.reason != Reason::kNone) names.emplace_back(entry.name);
  std::sort(names.begin(), names.end());
  // Adding a reason adds its name to kPublishedNames; nothing else changes it.
  CHECK(names == kPublishedNames);
}

TEST_CASE("a reason and its name are found from each other at compile time", "[core][reasons]") {
  static_assert(reason_from_name("name_too_long") == Reason::kNameTooLong);
  static_assert(reason_name(Reason::kNotAKeyledgerDatabase) == "not_a_keyledger_database");
  SUCCEED("checked when this file compiled");
}
