// What the /v1 handlers report for metrics. The daemon's Metrics
// implements it (server/daemon/metrics.h); the API knows only this.
#pragma once

namespace keyledger::server {

// Counts scrypt checks of presented passwords (sign-in, password change).
class PasswordCheckCounter {
 public:
  virtual ~PasswordCheckCounter() = default;
  virtual void observe_password_check() = 0;
};

}  // namespace keyledger::server
