// keyledger audit: who created, renamed and deleted each key, when, and
// from where.
#include <string>

#include "core/time_format.h"
#include "projections/audit.h"
#include "tools/command_options.h"
#include "tools/commands.h"
#include "tools/exit_codes.h"
#include "tools/ledger_reader.h"
#include "tools/output_format.h"

namespace keyledger::tools {
namespace {

struct AuditOptions {
  std::string data = "./keyledger-data";
  std::string key, user, actor, actions, since, until, format;
  bool include_use = false;
};

// Whether the user, actor and key the filter names appear in the log: a
// filter naming something the ledger never had is a mistake, not an empty
// answer.
struct NamedInFilter {
  bool user_exists = false;   // a user_created for --user
  bool actor_exists = false;  // a user_created for --actor
  bool key_exists = false;    // a key_created for --key

  void see(const projections::AuditRow& row, const projections::AuditFilter& filter) {
    static const std::string kUserCreated = projections::audit_action(UserCreated{});
    static const std::string kKeyCreated = projections::audit_action(KeyCreated{});
    if (row.action == kUserCreated) {
      user_exists |= filter.owner == row.owner;
      actor_exists |= filter.actor == row.owner;
    }
    if (row.action == kKeyCreated) key_exists |= filter.key_id == row.key_id;
  }
};

// Fills the filter from the options; prints the problem and returns false
// on a bad one.
bool read_filter(const AuditOptions& options, projections::AuditFilter& filter) {
  if (!options.key.empty()) filter.key_id = options.key;
  if (!options.user.empty()) filter.owner = options.user;
  if (!options.actor.empty()) filter.actor = options.actor;
  filter.include_use = options.include_use;
  auto actions = projections::parse_audit_actions(options.actions);
  if (!actions.is_ok()) {
    std::fprintf(stderr, "keyledger audit: --action: %s (see keyledger audit --help)\n",
                 actions.status().message().c_str());
    return false;
  }
  filter.actions = std::move(*actions);
  // --since's and --until's validators have refused a text that is not a time.
  if (!options.since.empty()) filter.since_ns = parse_rfc3339_or_date(options.since);
  if (!options.until.empty()) filter.until_ns = parse_rfc3339_or_date(options.until);
  return true;
}

// Prints the first name in the filter that the log never had; true when
// there is none.
bool report_unknown_names(const projections::AuditFilter& filter, const NamedInFilter& named) {
  auto unknown = [](const char* what, const std::string& name) {
    std::fprintf(stderr, "keyledger audit: %s '%s' in this ledger\n", what, name.c_str());
    return false;
  };
  if (filter.owner && !named.user_exists) return unknown("--user: no such user", *filter.owner);
  if (filter.actor && *filter.actor != kSystemActor && !named.actor_exists)
    return unknown("--actor: no such user", *filter.actor);
  if (filter.key_id && !named.key_exists) return unknown("--key: no such key", *filter.key_id);
  return true;
}

std::vector<Cell> audit_cells(const projections::AuditRow& row) {
  return {row.seq,
          format_rfc3339(row.time_ns),
          row.action,
          row.actor,
          text_or_null(row.actor_ip),
          text_or_null(row.owner),
          text_or_null(row.key_id),
          text_or_null(row.name),
          text_or_null(row.privilege),
          text_or_null(row.client_ip),
          time_or_null(row.used_at_ns),
          text_or_null(row.reason)};
}

int run_audit(const AuditOptions& options) {
  projections::AuditFilter filter;
  if (!read_filter(options, filter)) return kExitUsage;
  // --format's validator has refused every text parse_format does not take.
  const Format format = parse_format(options.format).value_or(Format::kJson);
  auto opened = open_ledger_for_reading(options.data);
  if (!opened.log) return opened.exit_code;
  RowWriter rows(format, {"seq", "time", "action", "actor", "actor_ip", "owner", "key_id", "name",
                          "privilege", "client_ip", "used_at", "reason"});
  Progress progress("reading events", opened.log->head().seq);
  NamedInFilter named;
  projections::AuditFilter every_row;
  every_row.include_use = true;
  // Every row passes through, to learn whether the names filtered on exist.
  Status scanned = projections::scan_audit(
      *opened.log, 0, every_row, [](const std::string&) { return std::string(); },
      [&](const projections::AuditRow& row) {
        progress.tick(row.seq);
        named.see(row, filter);
        if (filter.matches(row)) rows.add(audit_cells(row));
        return true;
      });
  if (!scanned.is_ok()) return report_error("reading the log", scanned);
  if (!report_unknown_names(filter, named)) return kExitUsage;
  rows.write(stdout);
  return kExitOk;
}

std::string action_help() {
  std::string help = "Comma-separated actions: ";
  for (const auto& action : projections::audit_actions()) help += action + ",";
  help +=
      " or key_* / user_* for every key / user action (older spellings such as created or "
      "user-locked are also accepted)";
  return help;
}

constexpr CommandText kAuditText = {
    "audit", "Who created, renamed and deleted each key: time, actor, actor IP, owner, key, name",
    R"(A --user, --actor or --key that the ledger has never had is an error (exit 2), not an
empty answer. Columns: seq, time, action, actor, actor_ip, owner (the key's owner, or the
user a user event is about), key_id, name, privilege, client_ip, used_at, reason.
Examples:
  keyledger audit --data ./keyledger-data
  keyledger audit --user alice --since 2026-01-01 --format csv > alice.csv
  keyledger audit --key AbCdEf123456 --include-use --format json
  keyledger audit --action key_deleted,user_* --actor admin)"};

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<AuditOptions>();
  CLI::App* command = add_ledger_command(app, kAuditText, options->data);
  command->add_option("--key", options->key, "Only this key id");
  command->add_option("--user", options->user, "Only keys owned by (or events about) this user");
  command->add_option("--actor", options->actor, "Only events caused by this user (or 'system')");
  command->add_option("--action", options->actions, action_help());
  command
      ->add_option("--since", options->since, "From this time (RFC 3339 or YYYY-MM-DD), inclusive")
      ->check(time_validator());
  command->add_option("--until", options->until, "Before this time (RFC 3339 or YYYY-MM-DD)")
      ->check(time_validator());
  command->add_flag("--include-use", options->include_use, "Also list key uses (key_used)");
  add_format_option(*command, options->format);
  command->callback([options, &exit_code] { exit_code = run_audit(*options); });
}

}  // namespace keyledger::tools
