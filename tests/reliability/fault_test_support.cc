#include "tests/reliability/fault_test_support.h"

#include <catch2/catch.hpp>

namespace keyledger::reliability {

CreateOutcome create_key(HttpSession& session, const std::string& driver_token, LedgerModel& model,
                         const std::string& name, On503 on_503) {
  auto ticket = model.begin({ChangeKind::kCreate, "", name, 0});
  auto reply = session.send("POST", "/v1/keys", nlohmann::json{{"name", name}}.dump(),
                            with_key(driver_token));
  if (!reply) {
    model.unanswered(ticket);
    return {};
  }
  CreateOutcome outcome{reply->status, reply->error_code(), {}};
  if (reply->status == 201) {
    outcome.key = {reply->json()["id"].get<std::string>(), reply->json()["key"].get<std::string>()};
    model.acknowledged(ticket, outcome.key.id, outcome.key.token);
  } else if (reply->status == 503 && on_503 == On503::kOutcomeUnknown) {
    model.unanswered(ticket);
  } else {
    model.refused(ticket);
  }
  return outcome;
}

CheckReport check_against_model(LedgerModel& model, unsigned short port,
                                const std::string& driver_token) {
  HttpSession session(port, {.keep_alive = true});
  auto observed = list_keys(session, driver_token);
  REQUIRE(observed);
  return model.reconcile(*observed, [&](const std::string& token) {
    auto reply = session.send("GET", "/v1/verify", "", with_key(token));
    return reply ? std::optional<unsigned>(reply->status) : std::nullopt;
  });
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace keyledger::reliability
