// Slow work a handler must not do on an I/O thread (a scrypt hash, a scan
// of the event log), run on a pool with a cap on how much of it may wait:
// beyond the cap the request is refused at once, so a flood of one kind of
// request queues neither unbounded work nor memory.
#pragma once

#include <atomic>
#include <functional>

#include "server/api/answer.h"

namespace keyledger::server {

// Where blocking jobs run (a thread pool in keyledgerd, the calling thread
// in tests).
class BlockingWork {
 public:
  virtual ~BlockingWork() = default;
  virtual void post(std::function<void()> job) = 0;
};

// Thread-safe; the pool outlives it, and it outlives the jobs it posted.
class BoundedWork {
 public:
  // `max_jobs` (> 0): how many of its jobs may be queued or running at once.
  BoundedWork(BlockingWork& pool, int max_jobs) : pool_(pool), max_jobs_(max_jobs) {}

  // Runs `job` on the pool, unless max_jobs are queued or running already:
  // then replies 503 server_busy (Retry-After: 1) at once, on the calling
  // thread, and returns false. The job gives the answer itself (`reply` is
  // the caller's to capture); the HTTP session writes it on the
  // connection's own I/O thread, whichever thread replies.
  bool post(const Reply& reply, std::function<void()> job);

 private:
  BlockingWork& pool_;
  const int max_jobs_;
  std::atomic<int> queued_{0};
};

}  // namespace keyledger::server
