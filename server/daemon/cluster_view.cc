#include "server/daemon/cluster_view.h"

#include "server/daemon/nats_options.h"
#include "server/replication/jetstream_stream.h"
#include "server/replication/uses_channel.h"

namespace keyledger::server {

Json cluster_json(const replication::ClusterFigures& figures) {
  Json followers = Json::array();
  for (const auto& follower : figures.followers)
    followers.push_back({{"node", follower.node},
                         {"applied_seq", follower.applied_seq},
                         {"lag", follower.lag},
                         {"seconds_since_heard", follower.seconds_since_heard}});
  return {{"role", "leader"},
          {"head_seq", figures.head_seq},
          {"published_seq", figures.published_seq ? Json(*figures.published_seq) : Json(nullptr)},
          {"followers", std::move(followers)}};
}

std::chrono::nanoseconds forget_followers_after(const ServerConfig& config) {
  return std::chrono::nanoseconds(config.last_use_flush_interval) * 10;
}

LeaderCluster::LeaderCluster(const ServerConfig& config, const EventLog& log,
                             LastUseTracker& tracker, const Clock& clock,
                             const MonotonicClock& steady,
                             std::function<std::optional<std::uint64_t>()> published_seq,
                             JsonLog& json_log)
    : config_(config),
      log_(log),
      published_seq_(std::move(published_seq)),
      json_log_(json_log),
      followers_(steady, forget_followers_after(config)),
      intake_(tracker, clock, followers_) {}

LeaderCluster::~LeaderCluster() { stop(); }

void LeaderCluster::start() {
  if (config_.nats.urls.empty()) return;
  replication::NatsConnectionOptions options =
      nats_connection_options(config_.nats, "keyledgerd leader (key uses)");
  source_ = std::make_unique<SubscribedUses>(std::make_unique<replication::UsesSubscription>(
      options, replication::uses_subject(config_.nats.stream)));
  receiver_ = std::make_unique<UsesReceiver>(
      *source_, intake_, std::chrono::nanoseconds(config_.last_use_flush_interval), json_log_);
  receiver_->start();
}

void LeaderCluster::stop() {
  if (receiver_) receiver_->stop();
}

replication::ClusterFigures LeaderCluster::figures() {
  replication::ClusterFigures figures;
  figures.head_seq = log_.head().seq;
  if (published_seq_) figures.published_seq = published_seq_();
  figures.followers = followers_.followers(figures.head_seq);
  figures.bad_messages = intake_.bad_messages();
  figures.uses_received = intake_.uses_taken();
  return figures;
}

}  // namespace keyledger::server
