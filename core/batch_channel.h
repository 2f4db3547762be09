// A bounded queue of batches from one producing thread to one consuming
// thread, for pipelines over a long read (replay's three stages, loading
// the stored projection's two). Batches of a few hundred items make the hand-over
// cost nothing per item; the bound makes a slow consumer hold the producer
// back instead of buffering everything.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace keyledger {

template <typename Batch>
class BatchChannel {
 public:
  // Blocks while the channel is full. False if the consumer has cancelled.
  bool push(Batch batch) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return batches_.size() < kCapacity || cancelled_; });
    if (cancelled_) return false;
    batches_.push_back(std::move(batch));
    changed_.notify_all();
    return true;
  }
  // The next batch; empty once the producer has closed the channel and
  // every batch is taken.
  std::optional<Batch> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !batches_.empty() || closed_; });
    if (batches_.empty()) return std::nullopt;
    Batch batch = std::move(batches_.front());
    batches_.pop_front();
    changed_.notify_all();
    return batch;
  }
  // The producer's last call.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  // The consumer stops listening: pending and later pushes return false.
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }

 private:
  static constexpr std::size_t kCapacity = 8;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> batches_;
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace keyledger
