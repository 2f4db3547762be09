// GET /v1/verify's HTTP answers, against a fake verifier: a failure is
// replied as its Status, which becomes the envelope where every Status
// does (RouteReply::into_response).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/http/responses.h"
#include "server/verify/credential_verifier.h"

using namespace keyledger;
using namespace keyledger::server;

namespace {

class OneKeyVerifier final : public KeyVerifier {
 public:
  int calls = 0;
  std::int64_t retry_after = 0;
  StatusOr<VerifiedKey> verify(std::string_view token, const std::string&,
                               std::int64_t* retry_after_seconds) override {
    ++calls;
    if (token == "kl_good") return VerifiedKey{"alice", Privilege::kAuditor, "k1"};
    if (retry_after > 0) {
      *retry_after_seconds = retry_after;
      return Status(StatusCode::kResourceExhausted, Reason::kRateLimited, "slow down");
    }
    return invalid_credentials();
  }
};

HttpResponse verify(OneKeyVerifier& verifier,
                    std::vector<std::pair<std::string, std::string>> fields) {
  auto exchange = std::make_shared<Exchange>();
  for (const auto& [name, value] : fields) exchange->request.insert(name, value);
  AppliedSeq applied(std::chrono::seconds(1), 5);
  return VerifyHandler(verifier, applied).answer(*exchange).into_response(*exchange);
}

std::string code(const HttpResponse& response) {
  return nlohmann::json::parse(response.body())["errors"][0]["code"];
}

}  // namespace

TEST_CASE("a valid key verifies as its user's privilege", "[server][verify_handler]") {
  OneKeyVerifier verifier;
  const HttpResponse response = verify(verifier, {{"Authorization", "Bearer kl_good"}});
  CHECK(response.result_int() == 200);
  CHECK(response.body() == R"({"key_id":"k1","privilege":"auditor","user":"alice"})");
}

TEST_CASE("no key or a bad key answers 401 invalid_credentials", "[server][verify_handler]") {
  OneKeyVerifier verifier;
  const HttpResponse none = verify(verifier, {});
  CHECK(none.result_int() == 401);
  CHECK(code(none) == "invalid_credentials");
  CHECK(verifier.calls == 0);
  const HttpResponse bad = verify(verifier, {{"MC-Api-Key", "kl_bad"}});
  CHECK(bad.result_int() == 401);
  CHECK(code(bad) == "invalid_credentials");
}

TEST_CASE("two keys verify as neither and reach no verifier", "[server][verify_handler]") {
  OneKeyVerifier verifier;
  const HttpResponse response =
      verify(verifier, {{"MC-Api-Key", "kl_good"}, {"Authorization", "Bearer kl_other"}});
  CHECK(response.result_int() == 400);
  CHECK(code(response) == "ambiguous_credentials");
  CHECK(verifier.calls == 0);
}

TEST_CASE("a client past its failure limit is told how long to wait", "[server][verify_handler]") {
  OneKeyVerifier verifier;
  verifier.retry_after = 12;
  const HttpResponse response = verify(verifier, {{"MC-Api-Key", "kl_bad"}});
  CHECK(response.result_int() == 429);
  CHECK(response[http::field::retry_after] == "12");
}
