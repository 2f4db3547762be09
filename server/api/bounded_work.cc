#include "server/api/bounded_work.h"

namespace keyledger::server {

bool BoundedWork::post(const Reply& reply, std::function<void()> job) {
  if (queued_.fetch_add(1) >= max_jobs_) {
    queued_.fetch_sub(1);
    reply(Answer(ApiError::kServerBusy).with_header(http::field::retry_after, "1"));
    return false;
  }
  pool_.post([this, job = std::move(job)] {
    job();
    queued_.fetch_sub(1);
  });
  return true;
}

}  // namespace keyledger::server
