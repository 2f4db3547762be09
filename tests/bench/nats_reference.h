// The raw JetStream figures the cluster benchmarks put keyledger's beside,
// measured with nats.c directly (no keyledger code between the benchmark and
// NATS): a pull consumer reading a stream, asynchronous publishing, and the
// time from a publish to its delivery to a consumer that was already
// waiting. Every call blocks; errors throw std::runtime_error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

typedef struct __natsConnection natsConnection;
typedef struct __natsOptions natsOptions;
typedef struct __natsSubscription natsSubscription;
typedef struct __jsCtx jsCtx;

namespace keyledger::bench {

// Who connects, and where: every server URL, and a user (empty: none).
struct NatsUser {
  std::vector<std::string> urls;
  std::string user;
  std::string password;
};

// One nats.c connection with its JetStream context.
class RawNats {
 public:
  explicit RawNats(const NatsUser& who);
  ~RawNats();
  RawNats(const RawNats&) = delete;
  RawNats& operator=(const RawNats&) = delete;
  natsConnection* connection() const { return connection_; }
  jsCtx* jetstream() const { return jetstream_; }

 private:
  natsOptions* options_ = nullptr;
  natsConnection* connection_ = nullptr;
  jsCtx* jetstream_ = nullptr;
};

// Reads messages 1..`count` of `stream` (subject `subject`) with a new
// ephemeral pull consumer (Fetch 256, AckNone), as `who`; messages/s from
// the first Fetch to the last message.
double raw_pull_rate(const NatsUser& who, const std::string& stream, const std::string& subject,
                     std::uint64_t count);

// Publishes messages of `bytes` bytes on `subject` with js_PublishAsync (at
// most 4096 in flight) for `seconds`, then waits for every PubAck;
// acknowledged messages/s over the whole time.
double raw_async_publish_rate(const NatsUser& who, const std::string& subject, std::size_t bytes,
                              double seconds);

// Publish → delivery on one stream: `publisher` publishes one message
// synchronously on `subject`, and a pull consumer of `reader`'s (Fetch 16,
// waiting on its own thread, as a follower waits for the next event)
// receives it.
class DeliveryProbe {
 public:
  DeliveryProbe(const NatsUser& publisher, const NatsUser& reader, const std::string& stream,
                const std::string& subject, std::size_t bytes);
  ~DeliveryProbe();
  DeliveryProbe(const DeliveryProbe&) = delete;
  DeliveryProbe& operator=(const DeliveryProbe&) = delete;

  // Milliseconds from just before the publish call to the delivery.
  double probe();

 private:
  void receive_loop();

  RawNats publisher_;
  RawNats reader_;
  std::string subject_;
  std::string payload_;
  natsSubscription* subscription_ = nullptr;
  std::mutex mutex_;
  std::condition_variable delivered_;
  std::map<std::uint64_t, std::chrono::steady_clock::time_point> arrivals_;
  bool stopping_ = false;
  std::thread receiver_;
};

}  // namespace keyledger::bench
