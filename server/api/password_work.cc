#include "server/api/password_work.h"

namespace keyledger::server {

bool PasswordWork::check(const std::string& password, const std::string& stored) {
  checks_.observe_password_check();
  return PasswordHasher::verify(password, stored);
}

}  // namespace keyledger::server
