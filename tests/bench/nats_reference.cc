#include "tests/bench/nats_reference.h"

#include <nats/nats.h>

#include <atomic>
#include <stdexcept>

#include "tests/bench/bench_common.h"

namespace keyledger::bench {
namespace {

using Clock = std::chrono::steady_clock;

void check(natsStatus status, const std::string& what) {
  if (status != NATS_OK)
    throw std::runtime_error("nats: " + what + ": " + natsStatus_GetText(status) + " (" +
                             nats_GetLastError(nullptr) + ")");
}

// A pull subscription on `subject` of `stream` with an ephemeral consumer
// that starts at the stream's first message and acknowledges nothing.
natsSubscription* pull_subscription(const RawNats& nats, const std::string& stream,
                                    const std::string& subject) {
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream.c_str();
  options.Config.AckPolicy = js_AckNone;
  natsSubscription* subscription = nullptr;
  check(js_PullSubscribe(&subscription, nats.jetstream(), subject.c_str(), nullptr, nullptr,
                         &options, nullptr),
        "pull subscribe to " + stream);
  return subscription;
}

std::atomic<std::uint64_t> publish_failures{0};

void count_failure(jsCtx*, jsPubAckErr*, void*) { ++publish_failures; }

}  // namespace

RawNats::RawNats(const NatsUser& who) {
  check(natsOptions_Create(&options_), "options");
  std::vector<const char*> urls;
  for (const auto& url : who.urls) urls.push_back(url.c_str());
  check(natsOptions_SetServers(options_, urls.data(), static_cast<int>(urls.size())), "servers");
  if (!who.user.empty())
    check(natsOptions_SetUserInfo(options_, who.user.c_str(), who.password.c_str()), "user");
  check(natsOptions_SetMaxReconnect(options_, -1), "reconnects");
  check(natsConnection_Connect(&connection_, options_), "connect");
  jsOptions js_options;
  jsOptions_Init(&js_options);
  // Generous: making an R3 consumer takes a Raft round, which on a loaded
  // 2-core machine (a CI build beside it) was seen to exceed 5 s.
  js_options.Wait = 30'000;
  js_options.PublishAsync.MaxPending = 4096;
  js_options.PublishAsync.ErrHandler = count_failure;
  check(natsConnection_JetStream(&jetstream_, connection_, &js_options), "JetStream context");
}

RawNats::~RawNats() {
  if (jetstream_ != nullptr) jsCtx_Destroy(jetstream_);
  if (connection_ != nullptr) natsConnection_Destroy(connection_);
  if (options_ != nullptr) natsOptions_Destroy(options_);
}

double raw_pull_rate(const NatsUser& who, const std::string& stream, const std::string& subject,
                     std::uint64_t count) {
  RawNats nats(who);
  natsSubscription* subscription = pull_subscription(nats, stream, subject);
  const auto start = Clock::now();
  std::uint64_t read = 0;
  while (read < count) {
    natsMsgList list{};
    const natsStatus fetched = natsSubscription_Fetch(&list, subscription, 256, 5000, nullptr);
    if (fetched != NATS_OK) break;
    read += static_cast<std::uint64_t>(list.Count);
    natsMsgList_Destroy(&list);
  }
  const double took = seconds_since(start);
  natsSubscription_Unsubscribe(subscription);  // deletes the ephemeral consumer
  natsSubscription_Destroy(subscription);
  if (read < count)
    throw std::runtime_error("raw pull consumer read " + std::to_string(read) + " of " +
                             std::to_string(count) + " messages");
  return static_cast<double>(read) / took;
}

double raw_async_publish_rate(const NatsUser& who, const std::string& subject, std::size_t bytes,
                              double seconds) {
  RawNats nats(who);
  const std::string payload(bytes, 'e');
  publish_failures = 0;
  std::uint64_t sent = 0;
  const auto start = Clock::now();
  const auto until =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < until) {
    for (int i = 0; i < 256; ++i, ++sent)
      check(js_PublishAsync(nats.jetstream(), subject.c_str(), payload.data(),
                            static_cast<int>(payload.size()), nullptr),
            "asynchronous publish");
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 60'000;
  check(js_PublishAsyncComplete(nats.jetstream(), &wait), "waiting for PubAcks");
  const double took = seconds_since(start);
  if (publish_failures > 0)
    throw std::runtime_error(std::to_string(publish_failures.load()) + " raw publishes failed");
  return static_cast<double>(sent) / took;
}

DeliveryProbe::DeliveryProbe(const NatsUser& publisher, const NatsUser& reader,
                             const std::string& stream, const std::string& subject,
                             std::size_t bytes)
    : publisher_(publisher), reader_(reader), subject_(subject), payload_(bytes, 'd') {
  subscription_ = pull_subscription(reader_, stream, subject);
  receiver_ = std::thread([this] { receive_loop(); });
}

DeliveryProbe::~DeliveryProbe() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  receiver_.join();
  natsSubscription_Unsubscribe(subscription_);
  natsSubscription_Destroy(subscription_);
}

void DeliveryProbe::receive_loop() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    natsMsgList list{};
    if (natsSubscription_Fetch(&list, subscription_, 16, 200, nullptr) != NATS_OK) continue;
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    for (int i = 0; i < list.Count; ++i) {
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, list.Msgs[i]) != NATS_OK) continue;
      arrivals_[meta->Sequence.Stream] = now;
      jsMsgMetaData_Destroy(meta);
    }
    natsMsgList_Destroy(&list);
    delivered_.notify_all();
  }
}

double DeliveryProbe::probe() {
  const auto start = Clock::now();
  jsPubAck* ack = nullptr;
  check(js_Publish(&ack, publisher_.jetstream(), subject_.c_str(), payload_.data(),
                   static_cast<int>(payload_.size()), nullptr, nullptr),
        "publish");
  const std::uint64_t seq = ack->Sequence;
  jsPubAck_Destroy(ack);
  std::unique_lock lock(mutex_);
  if (!delivered_.wait_for(lock, std::chrono::seconds(10),
                           [&] { return arrivals_.count(seq) > 0; }))
    throw std::runtime_error("a probe message was not delivered within 10 s");
  const auto arrived = arrivals_[seq];
  arrivals_.erase(seq);
  return std::chrono::duration<double, std::milli>(arrived - start).count();
}

}  // namespace keyledger::bench
