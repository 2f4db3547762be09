// What only a leader has beneath its management API: the single writer,
// the first admin and --unlock that it commits at start, and the sink
// through which the last-use tracker persists uses as KeyUsed events.
//
// A follower (issue 20) has none of it. It applies the leader's events to
// its projection instead of deciding commands, and gives its tracker a
// sink that carries uses back to the leader.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/password_hasher.h"
#include "core/random.h"
#include "core/status.h"
#include "server/api/first_admin.h"
#include "server/daemon/config.h"
#include "server/daemon/data_folder.h"
#include "server/daemon/metrics.h"
#include "server/daemon/open_ledger.h"
#include "server/daemon/system_pages.h"
#include "server/http/json_log.h"
#include "server/verify/key_use_sink.h"
#include "server/writer/group_commit_writer.h"

namespace keyledger::server {

// The tracker's sink on a leader: each use is a RecordKeyUse through the
// writer, answered once it is decided and, if accepted, durable.
class WriterKeyUseSink final : public KeyUseSink {
 public:
  // `writer` outlives the sink.
  explicit WriterKeyUseSink(writer::GroupCommitWriter& writer) : writer_(writer) {}
  void submit(RecordKeyUse use, Done done) override;

 private:
  writer::GroupCommitWriter& writer_;
};

// /readyz's view of a leader's ledger: the log's head and the writer's
// health. What it is given outlives it.
class WriterLedgerHealth final : public LedgerHealth {
 public:
  WriterLedgerHealth(const EventLog& log, const writer::GroupCommitWriter& writer)
      : log_(log), writer_(writer) {}
  std::uint64_t head_seq() const override;
  bool storage_failing() const override;

 private:
  const EventLog& log_;
  const writer::GroupCommitWriter& writer_;
};

// The writer's figures for /metrics, copied at the time of the call.
// `writer` outlives the source.
WriterFiguresSource writer_figures(const writer::GroupCommitWriter& writer);

class LeaderLedger {
 public:
  // Builds the writer over `ledger` (open); commits nothing yet. What it
  // is given outlives it.
  LeaderLedger(const ServerConfig& config, const DataFolder& data, OpenLedger& ledger,
               const Clock& clock, RandomSource& random, writer::WriterOptions options,
               JsonLog& log);
  // Finishes the writer's queue.
  ~LeaderLedger();
  LeaderLedger(const LeaderLedger&) = delete;
  LeaderLedger& operator=(const LeaderLedger&) = delete;

  // Creates the first admin on an empty ledger (with `admin_password`, from
  // the environment, or a one-time one), then runs --unlock. 0, or the exit
  // code after the error line.
  int start(const StatusOr<std::optional<std::string>>& admin_password);

  writer::GroupCommitWriter& writer() { return *writer_; }
  KeyUseSink& key_uses() { return key_uses_; }
  const PasswordHasher& password_hasher() const { return password_hasher_; }
  const InitialPasswordFile& initial_password() const { return initial_password_; }

  // Finishes every queued command and stops the writer. At shutdown, after
  // the last uses were flushed and before the io_contexts go: answers to
  // the last commands are posted to them (server/api/commit_answers.h), and
  // a stopped context only destroys them, while a destroyed one would be
  // used.
  void stop() { writer_.reset(); }

 private:
  int unlock_users();

  const ServerConfig& config_;
  OpenLedger& ledger_;
  RandomSource& random_;
  JsonLog& log_;
  PasswordHasher password_hasher_;
  const InitialPasswordFile initial_password_;
  std::unique_ptr<writer::GroupCommitWriter> writer_;
  WriterKeyUseSink key_uses_;
};

}  // namespace keyledger::server
