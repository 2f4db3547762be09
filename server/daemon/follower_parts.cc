#include "server/daemon/follower_parts.h"

#include <algorithm>

#include "server/daemon/nats_options.h"
#include "server/replication/connecting_stream.h"
#include "server/replication/jetstream_stream.h"
#include "server/replication/nats_connection.h"

namespace keyledger::server {

void HeldKeyUses::submit(RecordKeyUse use, Done done) {
  {
    std::unique_lock lock(mutex_);
    auto held = uses_.find(use.key_id);
    if (held == uses_.end() && uses_.size() >= max_keys_) {
      ++refused_;
      lock.unlock();
      done(unavailable(Reason::kTooManyPending,
                       "this follower holds the last uses of as many keys as it may"));
      return;
    }
    if (held == uses_.end())
      uses_.emplace(use.key_id, std::move(use));
    else if (use.used_at_ns >= held->second.used_at_ns)
      held->second = std::move(use);
  }
  done(Status::ok());
}

std::size_t HeldKeyUses::held() const {
  std::lock_guard lock(mutex_);
  return uses_.size();
}

std::uint64_t HeldKeyUses::refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

std::vector<RecordKeyUse> HeldKeyUses::take_all() {
  std::lock_guard lock(mutex_);
  std::vector<RecordKeyUse> taken;
  taken.reserve(uses_.size());
  for (auto& [key_id, use] : uses_) taken.push_back(std::move(use));
  uses_.clear();
  return taken;
}

void HeldKeyUses::hold_again(std::vector<RecordKeyUse> uses) {
  std::lock_guard lock(mutex_);
  for (RecordKeyUse& use : uses) {
    auto [held, inserted] = uses_.try_emplace(use.key_id, use);
    if (!inserted && use.used_at_ns > held->second.used_at_ns) held->second = std::move(use);
  }
}

namespace {

// The follower's stream over `connection`. A stream keyledger could not use
// is an error; one that does not exist yet (the leader makes it) is not:
// the follow loop waits for it.
StatusOr<std::unique_ptr<replication::EventStream>> checked_stream(
    std::unique_ptr<replication::NatsConnection> connection, const std::string& name,
    bool& not_created_yet) {
  replication::JetStreamOptions stream_options;
  stream_options.stream = name;
  // A follower publishes nothing: its messages need no ledger id.
  auto stream = std::make_unique<replication::JetStreamEventStream>(std::move(connection),
                                                                    stream_options, "");
  not_created_yet = false;
  if (Status checked = stream->check_stream(); !checked.is_ok()) {
    if (checked.code() != StatusCode::kNotFound) return checked;
    not_created_yet = true;
  }
  return std::unique_ptr<replication::EventStream>(std::move(stream));
}

}  // namespace

StatusOr<std::unique_ptr<replication::EventStream>> open_follower_stream(const ServerConfig& config,
                                                                         JsonLog& log) {
  const replication::NatsConnectionOptions options =
      nats_connection_options(config.nats, "keyledgerd follower");
  auto connection = replication::NatsConnection::connect(options);
  if (connection.is_ok()) {
    bool not_created_yet = false;
    auto stream = checked_stream(std::move(*connection), config.nats.stream, not_created_yet);
    if (stream.is_ok() && not_created_yet)
      log.warn("the stream does not exist yet; the follower waits for the leader to make it",
               {{"stream", config.nats.stream}});
    return stream;
  }
  // Refused credentials (or a bad option) end the start: a restart would
  // not help. NATS out of reach does not: the follower starts stale (its
  // verifications answer 503 stale_replica) and the follow loop connects
  // when NATS can be reached, as a leader's publisher does.
  if (connection.status().code() != StatusCode::kUnavailable) return connection.status();
  log.warn("NATS cannot be reached: the follower starts stale and keeps trying",
           {{"stream", config.nats.stream}, {"why", connection.status().message()}});
  return std::unique_ptr<replication::EventStream>(
      std::make_unique<replication::ConnectingEventStream>(
          [options,
           name = config.nats.stream]() -> StatusOr<std::unique_ptr<replication::EventStream>> {
            auto connected = replication::NatsConnection::connect(options);
            if (!connected.is_ok()) return connected.status();
            bool not_created_yet = false;
            return checked_stream(std::move(*connected), name, not_created_yet);
          }));
}

replication::FollowOptions follow_options(const ServerConfig& config) {
  replication::FollowOptions options;
  const auto quarter =
      std::chrono::duration_cast<std::chrono::milliseconds>(config.max_staleness / 4);
  options.confirm_interval =
      std::clamp(quarter, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
  // A read waits no longer than the confirm interval, so that the loop asks
  // the last seq on time even when nothing arrives.
  options.wait = std::min(options.wait, options.confirm_interval);
  return options;
}

FollowerLedger::FollowerLedger(const ServerConfig& config, OpenLedger& ledger,
                               std::unique_ptr<replication::EventStream> stream,
                               const MonotonicClock& clock, AppliedSeq& applied_seq, JsonLog& log)
    : stream_(std::move(stream)),
      freshness_(clock, config.max_staleness),
      observer_(freshness_, applied_seq, log),
      applier_(*ledger.log, *ledger.projection, *stream_),
      loop_(applier_, *stream_, clock, observer_, follow_options(config)),
      health_(*ledger.log, loop_) {}

FollowerLedger::~FollowerLedger() { loop_.stop(); }

FollowerFigures FollowerLedger::figures() const {
  const replication::FollowStatus status = loop_.status();
  FollowerFigures figures;
  figures.applied_seq = status.applied_seq;
  figures.stream_last_seq = status.stream_last_seq;
  figures.stream_last_known = status.stream_last_known;
  if (const auto staleness = freshness_.staleness())
    figures.staleness_seconds = std::chrono::duration<double>(*staleness).count();
  figures.max_staleness_seconds = std::chrono::duration<double>(freshness_.max_staleness()).count();
  figures.stale = !freshness_.fresh();
  figures.connected = status.connected;
  figures.storage_failing = status.storage_failing;
  if (status.refusal)
    figures.refused = std::string(reason_name(status.refusal->reason)) + " at seq " +
                      std::to_string(status.refusal->seq) + ": " + status.refusal->message;
  figures.events_applied = status.applied_events;
  figures.redeliveries = status.redeliveries;
  figures.gap_events_filled = status.gap_events_filled;
  figures.stream_failures = status.failures;
  figures.key_uses_held = key_uses_.held();
  figures.key_uses_refused = key_uses_.refused();
  return figures;
}

void FollowerLedger::Observer::unavailable(const Status& why) {
  log_.warn("the follower cannot read the stream; retrying, and stale past --max-staleness",
            {{"reason", why.reason()}, {"detail", why.message()}});
}

void FollowerLedger::Observer::connected() { log_.info("the follower reads the stream"); }

void FollowerLedger::Observer::refused(const replication::ApplyRefusal& refusal) {
  log_.error(
      "the follower refused an event of the stream and applies nothing more; it answers 503 "
      "past --max-staleness until an operator looks (a fork, a forged or damaged event)",
      {{"seq", refusal.seq}, {"reason", reason_name(refusal.reason)}, {"detail", refusal.message}});
}

}  // namespace keyledger::server
