#include "server/daemon/leader_replication.h"

#include <utility>

#include "core/hash.h"
#include "server/daemon/nats_options.h"
#include "server/replication/connecting_stream.h"
#include "server/replication/jetstream_stream.h"
#include "server/replication/nats_connection.h"

namespace keyledger::server {

void PublisherHooks::hook_into(writer::WriterOptions& options) {
  options.on_commit = [this,
                       metrics = std::move(options.on_commit)](const writer::CommitInfo& info) {
    if (metrics) metrics(info);
    if (!info.ok) return;
    if (auto* publisher = publisher_.load(std::memory_order_acquire))
      publisher->notify_committed(info.head_seq);
  };
  options.admit = [this] {
    auto* publisher = publisher_.load(std::memory_order_acquire);
    return publisher ? publisher->admit_write() : Status::ok();
  };
}

void JsonPublisherLog::report(const replication::PublisherEvent& event) {
  using Kind = replication::PublisherEventKind;
  LogFields fields = {{"seq", event.seq}, {"ledger", ledger_id_}, {"stream", stream_}};
  if (!event.detail.empty()) fields["why"] = event.detail;
  switch (event.kind) {
    case Kind::kUnreachable:
      return log_.warn("NATS unreachable: publishing paused, retrying", fields);
    case Kind::kReachable:
      return log_.info("NATS reachable: publishing", fields);
    case Kind::kStreamBehind:
      return log_.error("the stream lost events it had acknowledged: publishing them again",
                        fields);
    case Kind::kFork:
      return log_.error(
          "FORK: the stream holds other events than this ledger's log; publishing stopped for "
          "good and writes will be refused",
          fields);
    case Kind::kLogUnreadable:
      return log_.error("cannot read the log to publish it: retrying", fields);
  }
}

StatusOr<std::string> ledger_id(const EventLog& log) {
  std::string id;
  const Status read = log.read_events(1, [&](std::uint64_t seq, std::string_view bytes) {
    if (seq == 1) id = to_hex(chain_hash(Hash256{}, bytes));
    return false;
  });
  if (!read.is_ok()) return read;
  if (id.empty())
    return failed_precondition(Reason::kEventMissing, "the ledger has no event 1 yet");
  return id;
}

std::unique_ptr<replication::EventStream> open_event_stream(const ServerConfig& config,
                                                            const std::string& ledger_id) {
  replication::NatsConnectionOptions connection =
      nats_connection_options(config.nats, "keyledgerd leader");
  replication::JetStreamOptions stream;
  stream.stream = config.nats.stream;
  stream.replicas = config.nats.replicas;
  return std::make_unique<replication::ConnectingEventStream>(
      [connection, stream, ledger_id]() -> StatusOr<std::unique_ptr<replication::EventStream>> {
        auto connected = replication::NatsConnection::connect(connection);
        if (!connected.is_ok()) return connected.status();
        auto opened = std::make_unique<replication::JetStreamEventStream>(
            std::move(connected).value(), stream, ledger_id);
        KEYLEDGER_RETURN_IF_ERROR(opened->ensure_stream());
        return std::unique_ptr<replication::EventStream>(std::move(opened));
      });
}

std::string url_for_log(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  return url.substr(0, scheme + 3) + url.substr(at + 1);
}

LeaderReplication::LeaderReplication(const ServerConfig& config, const EventLog& log,
                                     std::unique_ptr<replication::EventStream> stream,
                                     std::string ledger_id, std::string stream_name,
                                     const MonotonicClock& clock, PublisherHooks& hooks,
                                     JsonLog& json_log)
    : stream_(std::move(stream)),
      report_(json_log, std::move(ledger_id), std::move(stream_name)),
      hooks_(hooks),
      publisher_(log, *stream_, clock, report_,
                 replication::PublisherOptions{.max_unpublished = config.max_unpublished}) {
  publisher_.start();
  hooks_.attach(&publisher_);
}

LeaderReplication::~LeaderReplication() {
  hooks_.attach(nullptr);
  publisher_.stop();
}

}  // namespace keyledger::server
