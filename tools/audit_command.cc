// keyledger audit: who created, renamed and deleted each key, when, and
// from where.
#include <set>

#include "core/time_format.h"
#include "projections/audit.h"
#include "projections/stored_projection.h"
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

int run_audit(const AuditOptions& options) {
  projections::AuditFilter filter;
  if (!options.key.empty()) filter.key_id = options.key;
  if (!options.user.empty()) filter.owner = options.user;
  if (!options.actor.empty()) filter.actor = options.actor;
  filter.include_use = options.include_use;
  for (std::string_view list = options.actions; !list.empty();) {
    auto comma = list.find(',');
    std::string action(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    const auto& known = projections::audit_actions();
    if (action == "user-*") {
      for (const auto& name : known)
        if (name.rfind("user-", 0) == 0) filter.actions.insert(name);
      continue;
    }
    if (std::find(known.begin(), known.end(), action) == known.end()) {
      std::fprintf(stderr, "keyledger audit: unknown action '%s'\n", action.c_str());
      return kExitUsage;
    }
    filter.actions.insert(action);
  }
  if (filter.actions.count("used")) filter.include_use = true;
  for (auto [text, target, name] : {std::tuple{&options.since, &filter.since_ns, "--since"},
                                    std::tuple{&options.until, &filter.until_ns, "--until"}}) {
    if (text->empty()) continue;
    auto time = parse_rfc3339_or_date(*text);
    if (!time) {
      std::fprintf(stderr, "keyledger audit: %s must be RFC 3339 or YYYY-MM-DD, got '%s'\n", name,
                   text->c_str());
      return kExitUsage;
    }
    *target = *time;
  }
  Format format;
  if (!parse_format(options.format, format)) {
    std::fprintf(stderr, "keyledger audit: --format must be table, json or csv\n");
    return kExitUsage;
  }
  auto opened = open_ledger_for_reading(options.data);
  if (!opened.log) return opened.exit_code;
  RowWriter rows(format, {"seq", "time", "action", "actor", "actor_ip", "owner", "key_id", "name",
                          "privilege", "client_ip", "used_at", "reason"});
  Progress progress("reading events", opened.log->head().seq);
  Status scanned = projections::scan_audit(
      *opened.log, 0, filter, [](const std::string&) { return std::string(); },
      [&](const projections::AuditRow& row) {
        progress.tick(row.seq);
        rows.add({std::to_string(row.seq), format_rfc3339(row.time_ns), row.action, row.actor,
                  row.actor_ip, row.owner, row.key_id, row.name, row.privilege, row.client_ip,
                  format_rfc3339_or_empty(row.used_at_ns), row.reason});
        return true;
      });
  if (!scanned.is_ok()) return report_error("reading the log", scanned);
  rows.write(stdout);
  return kExitOk;
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<AuditOptions>();
  CLI::App* command = app.add_subcommand(
      "audit",
      "Who created, renamed and deleted each key: time, actor, actor IP, owner, key, name");
  command->footer(
      "Examples:\n"
      "  keyledger audit --data ./keyledger-data\n"
      "  keyledger audit --user alice --since 2026-01-01 --format csv > alice.csv\n"
      "  keyledger audit --key AbCdEf123456 --include-use --format json\n"
      "  keyledger audit --action deleted,user-* --actor admin");
  command->add_option("--data", options->data, "keyledgerd's data folder")->capture_default_str();
  command->add_option("--key", options->key, "Only this key id");
  command->add_option("--user", options->user, "Only keys owned by (or events about) this user");
  command->add_option("--actor", options->actor, "Only events caused by this user (or 'system')");
  command->add_option("--action", options->actions,
                      "Comma-separated: created,renamed,deleted,used,user-created,"
                      "user-privilege-changed,user-disabled,user-enabled,user-password-changed,"
                      "user-locked,user-unlocked, or user-* for all user events");
  command->add_option("--since", options->since,
                      "From this time (RFC 3339 or YYYY-MM-DD), inclusive");
  command->add_option("--until", options->until, "Before this time (RFC 3339 or YYYY-MM-DD)");
  command->add_flag("--include-use", options->include_use, "Also list last-use (used) events");
  command->add_option("--format", options->format,
                      "table, json or csv (default: table on a terminal, else json)");
  command->callback([options, &exit_code] { exit_code = run_audit(*options); });
}

}  // namespace keyledger::tools
