// keyledger stats: events by type, users, live and deleted keys, size and
// head.
#include <map>

#include "core/event_reader.h"
#include "core/hash.h"
#include "projections/audit.h"
#include "projections/stored_projection.h"
#include "tools/command_options.h"
#include "tools/commands.h"
#include "tools/exit_codes.h"
#include "tools/ledger_reader.h"
#include "tools/output_format.h"

namespace keyledger::tools {
namespace {

struct StatsOptions {
  std::string data = "./keyledger-data";
  std::string format;
};

int run_stats(const StatsOptions& options) {
  // --format's validator has refused every text parse_format does not take.
  const Format format = parse_format(options.format).value_or(Format::kJson);
  auto opened = open_ledger_for_reading(options.data);
  if (!opened.log) return opened.exit_code;
  const LogHead head = opened.log->head();
  // Every type, so the record has the same fields whatever the ledger holds.
  std::map<std::string, std::uint64_t> by_type;
  for (const auto& type : projections::audit_actions()) by_type[type] = 0;
  Progress progress("counting", head.seq);
  FirstDamage damage;
  Status read = EventReader(*opened.log, damage).read(1, [&](const Event& event, std::string_view) {
    progress.tick(event.seq);
    ++by_type[std::string(event_type_name(event.payload))];
    return event.seq < head.seq;  // a stable snapshot: stop at the head read above
  });
  if (read.is_ok() && damage.damage())
    read = damage.damage()->kind == DamageKind::kUndecodable
               ? damage.damage()->why()  // the decoder's own words, as stats has always printed
               : damage.status();
  if (!read.is_ok()) return report_error("reading the log", read);
  auto state = projections::load_stored_state(*opened.log);
  if (!state.is_ok()) return report_error("reading the projection", state.status());
  std::uint64_t live = 0, deleted = 0, disabled = 0;
  state->for_each_key([&](const KeyRecord& key) { (key.deleted ? deleted : live) += 1; });
  for (const auto& [id, user] : state->users()) disabled += user.disabled ? 1 : 0;

  Cell record = {{"head_seq", head.seq},
                 {"head_hash", to_hex(head.hash)},
                 {"users", state->users().size()},
                 {"users_disabled", disabled},
                 {"keys_live", live},
                 {"keys_deleted", deleted},
                 {"log_bytes_on_disk", opened.log->approximate_size_bytes()}};
  for (const auto& [type, count] : by_type) record["events_" + type] = count;
  write_record(format, record, "metric", "value", stdout);
  return kExitOk;
}

constexpr CommandText kStatsText = {
    "stats", "Events by type, users, live and deleted keys, size, head",
    R"(One record: head_seq, head_hash, users, users_disabled, keys_live, keys_deleted,
log_bytes_on_disk and events_<type> for every event type (0 when none), e.g.
events_key_created. JSON: one object whose counts are numbers; table and CSV: one
metric per row.
Examples:
  keyledger stats --data ./keyledger-data
  keyledger stats --data ./keyledger-data --format json)"};

}  // namespace

void add_stats_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<StatsOptions>();
  CLI::App* command = add_ledger_command(app, kStatsText, options->data);
  add_format_option(*command, options->format);
  command->callback([options, &exit_code] { exit_code = run_stats(*options); });
}

}  // namespace keyledger::tools
