#include "server/daemon/leader_parts.h"

#include "server/daemon/start_failure.h"

namespace keyledger::server {

void WriterKeyUseSink::submit(RecordKeyUse use, Done done) {
  writer_.submit(
      std::move(use), EventOrigin{},
      [done = std::move(done)](StatusOr<CommittedEvent> result) { done(result.status()); });
}

std::uint64_t WriterLedgerHealth::head_seq() const { return log_.head().seq; }

bool WriterLedgerHealth::storage_failing() const { return writer_.stats().failing; }

WriterFiguresSource writer_figures(const writer::GroupCommitWriter& writer) {
  return [&writer] {
    const writer::WriterStats stats = writer.stats();
    return WriterFigures{stats.commits, stats.events_appended, stats.commands_rejected,
                         stats.commit_failures, stats.failing};
  };
}

LeaderLedger::LeaderLedger(const ServerConfig& config, const DataFolder& data, OpenLedger& ledger,
                           const Clock& clock, RandomSource& random, writer::WriterOptions options,
                           JsonLog& log)
    : config_(config),
      ledger_(ledger),
      random_(random),
      log_(log),
      password_hasher_(random, ScryptCost{config.scrypt_log2_n, 8, 1}),
      initial_password_(data.root / kInitialPasswordFileName, log),
      writer_(std::make_unique<writer::GroupCommitWriter>(*ledger.log, *ledger.projection, clock,
                                                          std::move(options))),
      key_uses_(*writer_) {}

LeaderLedger::~LeaderLedger() = default;

int LeaderLedger::start(const StatusOr<std::optional<std::string>>& admin_password) {
  if (Status admin = start_first_admin(*ledger_.projection, *writer_, password_hasher_, random_,
                                       initial_password_, admin_password, log_);
      !admin.is_ok())
    return fail_start(log_, kExitFailure, "creating the admin user", admin);
  return unlock_users();
}

// --unlock: 0, or the exit code after the error line.
int LeaderLedger::unlock_users() {
  for (const auto& user_id : config_.unlock_users) {
    auto unlocked = writer_->execute(UnlockUser{user_id}, EventOrigin{});
    if (!unlocked.is_ok() && !unlocked.status().is(Reason::kUnchanged))
      return fail_start(log_, kExitFailure, "--unlock " + user_id, unlocked.status());
    log_.always(LogLevel::kInfo, "user unlocked", {{"user", user_id}});
  }
  return 0;
}

}  // namespace keyledger::server
