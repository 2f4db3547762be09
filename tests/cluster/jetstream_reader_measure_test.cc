// Figures, not tests (hidden tag [.measure], run by hand): the reader's
// catch-up rate beside a raw pull consumer's on the same stream in the same
// run, and the time from a publish's ack to the reader's delivery. Nothing
// here asserts a time.
#include <nats/nats.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "server/replication/jetstream_stream.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/support/skip.h"

namespace keyledger::replication {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kEvents = 50'000;

double per_second(std::uint64_t count, Clock::duration took) {
  return static_cast<double>(count) / std::chrono::duration<double>(took).count();
}

// Reads `count` messages with a plain pull consumer (Fetch 256, AckNone).
double raw_pull_rate(const testing::NatsCluster& cluster, const std::string& name,
                     std::uint64_t count) {
  auto connection =
      NatsConnection::connect(testing::nats_options(cluster, cluster.follower_credentials()));
  REQUIRE(connection.is_ok());
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = name.c_str();
  options.Config.AckPolicy = js_AckNone;
  natsSubscription* subscription = nullptr;
  REQUIRE(js_PullSubscribe(&subscription, (*connection)->jetstream(), events_subject(name).c_str(),
                           nullptr, nullptr, &options, nullptr) == NATS_OK);
  const auto start = Clock::now();
  std::uint64_t read = 0;
  while (read < count) {
    natsMsgList list{};
    if (natsSubscription_Fetch(&list, subscription, 256, 2000, nullptr) != NATS_OK) break;
    read += static_cast<std::uint64_t>(list.Count);
    natsMsgList_Destroy(&list);
  }
  const auto took = Clock::now() - start;
  natsSubscription_Unsubscribe(subscription);
  natsSubscription_Destroy(subscription);
  REQUIRE(read == count);
  return per_second(count, took);
}

}  // namespace

TEST_CASE("measure: the reader's catch-up beside a raw pull consumer, and delivery latency",
          "[.measure][cluster][nats]") {
  KEYLEDGER_REQUIRE_NATS_SERVER();
  testing::NatsCluster& cluster = testing::shared_nats_cluster();
  const std::string name = testing::fresh_stream_name();
  auto leader = testing::leader_stream(cluster, name);
  REQUIRE(leader->ensure_stream().is_ok());
  const std::string payload(200, 'e');
  std::vector<std::string_view> views(kEvents, payload);
  const auto publish_start = Clock::now();
  for (std::uint64_t next = 1; next <= kEvents;) {
    auto acks = leader->publish_batch(next, std::span(views).subspan(next - 1));
    REQUIRE(acks.is_ok());
    next += acks->size();
  }
  WARN("publish_batch R3: " << per_second(kEvents, Clock::now() - publish_start) << " events/s");

  const double raw = raw_pull_rate(cluster, name, kEvents);
  auto follower = testing::follower_stream(cluster, name);
  auto reader = follower->read_from(1);
  REQUIRE(reader.is_ok());
  const auto start = Clock::now();
  std::uint64_t read = 0;
  while (read < kEvents) {
    auto batch = (*reader)->next(256, std::chrono::milliseconds(2000));
    REQUIRE(batch.is_ok());
    REQUIRE_FALSE(batch->empty());
    read += batch->size();
  }
  const double ours = per_second(kEvents, Clock::now() - start);
  WARN("catch-up: reader " << ours << " events/s, raw pull " << raw << " events/s, ratio "
                           << ours / raw);

  // Publish → delivery to a reader that waits in next() on its own thread,
  // one event every 5 ms (the follower's case: it is idle when a change
  // comes).
  constexpr std::uint64_t kProbes = 400;
  std::vector<Clock::time_point> sent(kProbes), received(kProbes);
  std::thread receiver([&] {
    for (std::uint64_t got = 0; got < kProbes;) {
      auto batch = (*reader)->next(256, std::chrono::milliseconds(2000));
      if (!batch.is_ok()) continue;
      for (const auto& message : *batch) received[message.seq - kEvents - 1] = Clock::now();
      got += batch->size();
    }
  });
  for (std::uint64_t i = 0; i < kProbes; ++i) {
    sent[i] = Clock::now();
    REQUIRE(leader->publish(kEvents + 1 + i, payload).is_ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  receiver.join();
  std::vector<double> latencies_ms;
  for (std::uint64_t i = 0; i < kProbes; ++i)
    latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(received[i] - sent[i]).count());
  std::sort(latencies_ms.begin(), latencies_ms.end());
  WARN("publish to delivery: p50 " << latencies_ms[latencies_ms.size() / 2] << " ms, p99 "
                                   << latencies_ms[latencies_ms.size() * 99 / 100] << " ms, max "
                                   << latencies_ms.back() << " ms");
}

}  // namespace keyledger::replication
