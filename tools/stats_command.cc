// keyledger stats: events by type, users, live and deleted keys, size and
// head.
#include <map>

#include "core/event_codec.h"
#include "core/hash.h"
#include "projections/stored_projection.h"
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
  Format format;
  if (!parse_format(options.format, format)) {
    std::fprintf(stderr, "keyledger stats: --format must be table, json or csv\n");
    return kExitUsage;
  }
  auto opened = open_ledger_for_reading(options.data);
  if (!opened.log) return opened.exit_code;
  const LogHead head = opened.log->head();
  std::map<std::string, std::uint64_t> by_type;
  Progress progress("counting", head.seq);
  Status failure = Status::ok();
  Status read = opened.log->read_events(1, [&](std::uint64_t seq, std::string_view bytes) {
    auto event = decode_event(bytes);
    if (!event.is_ok()) {
      failure = event.status();
      return false;
    }
    progress.tick(seq);
    ++by_type[std::string(event_type_name(event->payload))];
    return seq < head.seq;  // a stable snapshot: stop at the head read above
  });
  if (read.is_ok()) read = failure;
  if (!read.is_ok()) return report_error("reading the log", read);
  auto state = projections::load_stored_state(*opened.log);
  if (!state.is_ok()) return report_error("reading the projection", state.status());
  std::uint64_t live = 0, deleted = 0, disabled = 0;
  state->for_each_key([&](const KeyRecord& key) { (key.deleted ? deleted : live) += 1; });
  for (const auto& [id, user] : state->users()) disabled += user.disabled ? 1 : 0;

  RowWriter rows(format, {"metric", "value"});
  rows.add({"head_seq", std::to_string(head.seq)});
  rows.add({"head_hash", to_hex(head.hash)});
  rows.add({"users", std::to_string(state->users().size())});
  rows.add({"users_disabled", std::to_string(disabled)});
  rows.add({"keys_live", std::to_string(live)});
  rows.add({"keys_deleted", std::to_string(deleted)});
  rows.add({"log_bytes_on_disk", std::to_string(opened.log->approximate_size_bytes())});
  for (const auto& [type, count] : by_type) rows.add({"events_" + type, std::to_string(count)});
  rows.write(stdout);
  return kExitOk;
}

}  // namespace

void add_stats_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<StatsOptions>();
  CLI::App* command =
      app.add_subcommand("stats", "Events by type, users, live and deleted keys, size, head");
  command->footer(
      "Examples:\n"
      "  keyledger stats --data ./keyledger-data\n"
      "  keyledger stats --data ./keyledger-data --format json");
  command->add_option("--data", options->data, "keyledgerd's data folder")->capture_default_str();
  command->add_option("--format", options->format,
                      "table, json or csv (default: table on a terminal, else json)");
  command->callback([options, &exit_code] { exit_code = run_stats(*options); });
}

}  // namespace keyledger::tools
