// keyledger export: every event as one JSON line, for SIEM ingestion.
// Stable field names; never a secret hash or password hash.
#include <limits>

#include "core/event_reader.h"
#include "core/hash.h"
#include "core/time_format.h"
#include "projections/audit.h"
#include "tools/command_options.h"
#include "tools/commands.h"
#include "tools/event_json.h"
#include "tools/exit_codes.h"
#include "tools/ledger_reader.h"

namespace keyledger::tools {
namespace {

struct ExportOptions {
  std::string data = "./keyledger-data";
  std::uint64_t after_seq = 0;
};

int run_export(const ExportOptions& options) {
  auto opened = open_ledger_for_reading(options.data);
  if (!opened.log) return opened.exit_code;
  // Nothing follows the largest seq (and after_seq + 1 must not wrap to 0).
  if (options.after_seq == std::numeric_limits<std::uint64_t>::max()) return kExitOk;
  Progress progress("exporting", opened.log->head().seq);
  FirstDamage damage;
  Status read = EventReader(*opened.log, damage)
                    .read(options.after_seq + 1, [&](const Event& event, std::string_view) {
                      progress.tick(event.seq);
                      std::fputs(event_to_json(event)
                                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                     .c_str(),
                                 stdout);
                      std::fputc('\n', stdout);
                      return true;
                    });
  if (read.is_ok()) read = damage.status();
  if (!read.is_ok()) return report_error("reading the log", read);
  return kExitOk;
}

constexpr CommandText kExportText = {
    "export", "Every event as JSON lines, for a SIEM",
    R"text(One object per line: seq (a number), time (RFC 3339), time_ns (a string of digits, as it
exceeds 2^53), type (key_created, user_locked, ...: the names audit prints as actions),
actor, actor_ip, request_id, prev_hash and the event's own fields; an empty value is null.
Resume where a previous export stopped with --after-seq.
Examples:
  keyledger export --data ./keyledger-data > events.jsonl
  keyledger export --after-seq "$(tail -1 events.jsonl | jq .seq)" >> events.jsonl)text"};

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* command = add_ledger_command(app, kExportText, options->data);
  command->add_option("--after-seq", options->after_seq, "Start after this seq")
      ->check(seq_validator())
      ->capture_default_str();
  command->callback([options, &exit_code] { exit_code = run_export(*options); });
}

}  // namespace keyledger::tools
