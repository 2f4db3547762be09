// The few keyledgerd API calls the reliability suites make, on top of
// HttpSession: sign in and get an API key to work with, list keys.
#pragma once

#include <optional>
#include <string>

#include "tests/reliability/http_session.h"
#include "tests/reliability/ledger_model.h"

namespace keyledger::reliability {

struct ApiKey {
  std::string id;
  std::string token;
};

// Signs in as `user` and creates a key named `name` for the suite's own
// requests (management with an API key needs no session or CSRF token).
std::optional<ApiKey> sign_in_and_create_key(unsigned short port, const std::string& user,
                                             const std::string& password, const std::string& name);

// Headers that authenticate as `token`.
std::map<std::string, std::string> with_key(const std::string& token);

// Every live key of the token's user; nullopt if the server did not answer 200.
std::optional<ObservedKeys> list_keys(HttpSession& session, const std::string& token);

}  // namespace keyledger::reliability
