// keyledger replay: the state as it was at a seq or a time, and optionally
// a fresh database holding exactly that prefix of the log.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string_view>
#include <vector>

#include "core/time_format.h"
#include "projections/stored_projection.h"
#include "storage/rocks_event_log.h"
#include "tools/command_options.h"
#include "tools/commands.h"
#include "tools/exit_codes.h"
#include "tools/ledger_reader.h"
#include "tools/log_copy.h"
#include "tools/output_format.h"

namespace keyledger::tools {
namespace {

struct ReplayOptions {
  std::string data = "./keyledger-data";
  std::uint64_t until_seq = 0;
  bool until_seq_given = false;  // --until-seq 0 means the empty prefix
  std::string at;
  std::string out;
  std::string format;
};

void print_state(const projections::LedgerState& state, Format format) {
  RowWriter rows(format,
                 {"user", "privilege", "user_status", "key_id", "key_name", "key_created_at",
                  "key_status", "key_deleted_at", "last_used_ip", "last_used_at"});
  std::vector<const UserRecord*> users;
  for (const auto& [id, user] : state.users()) users.push_back(&user);
  std::sort(users.begin(), users.end(), [](auto* a, auto* b) { return a->user_id < b->user_id; });
  // Auditors see deleted keys too, so group every key by owner, oldest first
  // (the state itself indexes only live keys by owner).
  std::map<std::string, std::vector<KeyRecord>, std::less<>> keys_by_owner;
  state.for_each_key([&](const KeyRecord& key) { keys_by_owner[key.owner].push_back(key); });
  for (auto& [owner, keys] : keys_by_owner)
    std::sort(keys.begin(), keys.end(),
              [](const KeyRecord& a, const KeyRecord& b) { return a.created_seq < b.created_seq; });
  for (const UserRecord* user : users) {
    const std::string status = user->disabled ? "disabled" : user->locked ? "locked" : "active";
    const auto owned = keys_by_owner.find(user->user_id);
    if (owned == keys_by_owner.end()) {
      rows.add({user->user_id, std::string(privilege_name(user->privilege)), status});
      continue;
    }
    for (const KeyRecord& key : owned->second) {
      rows.add({user->user_id, std::string(privilege_name(user->privilege)), status, key.key_id,
                key.name, format_rfc3339(key.created_at_ns), key.deleted ? "deleted" : "live",
                key.deleted ? time_or_null(key.deleted_at_ns) : Cell(nullptr),
                text_or_null(key.last_used_ip), time_or_null(key.last_used_at_ns)});
    }
  }
  rows.write(stdout);
}

// Copies events 1..head.seq into a fresh database at `out`, then its
// projection; the result is a ledger keyledgerd can open.
int write_prefix(const EventLog& source, const LogHead& head, const projections::LedgerState& state,
                 const std::string& out) {
  std::error_code error;
  std::filesystem::create_directories(out, error);
  std::filesystem::path db_path = std::filesystem::path(out) / "ledger";
  auto target = storage::RocksEventLog::open(db_path);
  if (!target.is_ok()) {
    report_error("creating " + db_path.string(), target.status());
    return kExitWriteFailed;
  }
  const CopiedPrefix copied = copy_log_prefix(source, head, **target);
  if (!copied.read.is_ok()) return report_error("reading the log", copied.read);
  if (copied.damage) {
    std::fprintf(stderr, "keyledger replay: event %llu: %s\n",
                 static_cast<unsigned long long>(copied.damage->seq),
                 copied.damage->message.c_str());
    return kExitCheckFailed;
  }
  Status written = copied.written;
  if (written.is_ok() && !(copied.head == head)) {
    std::fprintf(stderr, "keyledger replay: the log changed while copying\n");
    return kExitUnreadable;
  }
  // The records of the fold, stamped with its version: the copy is this
  // build's ledger.
  if (written.is_ok())
    written = (*target)->replace_projection(projections::records_of(state),
                                            projections::kProjectionVersion);
  if (!written.is_ok()) {
    std::fprintf(stderr, "keyledger replay: writing %s: %s\n", out.c_str(),
                 written.message().c_str());
    return kExitWriteFailed;
  }
  std::fprintf(stderr, "keyledger replay: wrote %llu events to %s\n",
               static_cast<unsigned long long>(head.seq), out.c_str());
  return kExitOk;
}

int run_replay(const ReplayOptions& options) {
  // --at's validator has refused a text that is not a time, and CLI11 one
  // given together with --until-seq.
  std::optional<TimeNs> at;
  if (!options.at.empty()) at = parse_rfc3339_or_date(options.at);
  // --format's validator has refused every text parse_format does not take.
  const Format format = parse_format(options.format).value_or(Format::kJson);
  // Refused before any reading, so the only message is this one.
  std::error_code error;
  if (!options.out.empty() && std::filesystem::exists(options.out, error) &&
      !std::filesystem::is_empty(options.out, error)) {
    std::fprintf(stderr, "keyledger replay: --out %s exists and is not empty\n",
                 options.out.c_str());
    return kExitUsage;
  }
  auto opened = open_ledger_for_reading(options.data);
  if (!opened.log) return opened.exit_code;
  Progress progress("replaying", opened.log->head().seq);
  projections::LedgerState state;
  auto chain = verify_chain_prefix(
      *opened.log,
      [&](const Event& event) {
        return (options.until_seq_given && event.seq > options.until_seq) ||
               (at && event.time_ns > *at);
      },
      [&](const Event& event) {
        progress.tick(event.seq);
        projections::apply_event(state, event);
      });
  if (!chain.is_ok()) return report_error("reading the log", chain.status());
  if (!chain->ok()) {
    std::fprintf(stderr, "keyledger replay: event %llu: %s\n",
                 static_cast<unsigned long long>(chain->problem->seq),
                 chain->problem->description.c_str());
    return kExitCheckFailed;
  }
  if (options.until_seq_given && chain->head.seq < options.until_seq) {
    std::fprintf(stderr, "keyledger replay: the log ends at seq %llu\n",
                 static_cast<unsigned long long>(chain->head.seq));
    return kExitUsage;
  }
  std::fprintf(stderr, "state as of seq %llu\n", static_cast<unsigned long long>(chain->head.seq));
  if (!options.out.empty()) return write_prefix(*opened.log, chain->head, state, options.out);
  print_state(state, format);
  return kExitOk;
}

constexpr CommandText kReplayText = {
    "replay", "The users and keys as they were at a seq or a time",
    R"(One row per key, and one for each user without keys: user, privilege, user_status
(active, disabled or locked), key_id, key_name, key_created_at, key_status (live or
deleted), key_deleted_at, last_used_ip, last_used_at.
Examples:
  keyledger replay --data ./keyledger-data --until-seq 120
  keyledger replay --at 2026-06-30T23:59:59Z --format csv
  keyledger replay --until-seq 120 --out ./ledger-at-120   # a database keyledgerd can open)"};

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReplayOptions>();
  CLI::App* command = add_ledger_command(app, kReplayText, options->data);
  CLI::Option* until_seq = command
                               ->add_option("--until-seq", options->until_seq,
                                            "Include events up to and including this seq")
                               ->check(seq_validator());
  command
      ->add_option("--at", options->at, "Include events at or before this time (RFC 3339 or date)")
      ->check(time_validator())
      ->excludes(until_seq);
  command->add_option("--out", options->out,
                      "Write a fresh data folder holding that prefix of the log (copy the pepper "
                      "file beside it for keyledgerd to verify keys)");
  add_format_option(*command, options->format);
  command->callback([options, until_seq, &exit_code] {
    options->until_seq_given = until_seq->count() > 0;
    exit_code = run_replay(*options);
  });
}

}  // namespace keyledger::tools
