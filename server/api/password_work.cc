#include "server/api/password_work.h"

namespace keyledger::server {

bool PasswordWork::post(const Reply& reply, std::function<void()> job) {
  if (queued_.fetch_add(1) >= kMaxQueuedJobs) {
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

bool PasswordWork::check(const std::string& password, const std::string& stored) {
  checks_.observe_password_check();
  return PasswordHasher::verify(password, stored);
}

}  // namespace keyledger::server
