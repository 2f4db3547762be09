// Which API key a request presents: one in MC-Api-Key or as a Bearer
// token, none, or more than one (ambiguous, so none is believed).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "server/http/responses.h"
#include "server/verify/credential_verifier.h"

using namespace keyledger::server;
using Presence = PresentedToken::Presence;

namespace {

HttpRequest with_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  HttpRequest request{http::verb::get, "/v1/verify", 11};
  for (const auto& [name, value] : fields) request.insert(name, value);
  return request;
}

}  // namespace

TEST_CASE("a key in either header is the key presented", "[server][credentials]") {
  CHECK(presented_token(with_fields({})).presence == Presence::kNone);
  CHECK(presented_token(with_fields({{"X-Other", "kl_a"}})).presence == Presence::kNone);
  const HttpRequest header = with_fields({{"MC-Api-Key", "kl_a"}});
  CHECK(presented_token(header).presence == Presence::kOne);
  CHECK(presented_token(header).token == "kl_a");
  for (const char* authorization : {"Bearer kl_a", "bearer kl_a", "BEARER kl_a"}) {
    INFO(authorization);
    const HttpRequest bearer = with_fields({{"Authorization", authorization}});
    CHECK(presented_token(bearer).presence == Presence::kOne);
    CHECK(presented_token(bearer).token == "kl_a");
  }
  // Another scheme is present but names no key.
  const HttpRequest basic = with_fields({{"Authorization", "Basic YTpi"}});
  CHECK(presented_token(basic).presence == Presence::kOne);
  CHECK(presented_token(basic).token.empty());
}

TEST_CASE("the same key in both headers is one key", "[server][credentials]") {
  for (const auto& fields : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"MC-Api-Key", "kl_a"}, {"Authorization", "Bearer kl_a"}},
           {{"Authorization", "Bearer kl_a"}, {"MC-Api-Key", "kl_a"}},
           // Another scheme beside MC-Api-Key names no second key.
           {{"MC-Api-Key", "kl_a"}, {"Authorization", "Basic YTpi"}},
       }) {
    // The token is a view into the request, which must outlive it.
    const HttpRequest request = with_fields(fields);
    const PresentedToken presented = presented_token(request);
    CHECK(presented.presence == Presence::kOne);
    CHECK(presented.token == "kl_a");
  }
}

TEST_CASE("two keys, or a credential header sent twice, are ambiguous", "[server][credentials]") {
  for (const auto& fields : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"MC-Api-Key", "kl_a"}, {"MC-Api-Key", "kl_b"}},
           {{"MC-Api-Key", "kl_a"}, {"MC-Api-Key", "kl_a"}},
           {{"mc-api-key", "kl_a"}, {"X-Other", "x"}, {"MC-API-KEY", "kl_b"}},
           {{"MC-Api-Key", "kl_a"}, {"Authorization", "Bearer kl_b"}},
           {{"Authorization", "Bearer kl_b"}, {"MC-Api-Key", "kl_a"}},
           {{"MC-Api-Key", ""}, {"Authorization", "Bearer kl_a"}},
           {{"Authorization", "Bearer kl_a"}, {"Authorization", "Bearer kl_b"}},
           {{"Authorization", "Bearer kl_a"}, {"Authorization", "Bearer kl_a"}},
           {{"Authorization", "Basic YTpi"}, {"Accept", "*/*"}, {"Authorization", "Bearer kl_a"}},
       }) {
    // The token is a view into the request, which must outlive it.
    const HttpRequest request = with_fields(fields);
    const PresentedToken presented = presented_token(request);
    CHECK(presented.presence == Presence::kAmbiguous);
    CHECK(presented.token.empty());
  }
}

TEST_CASE("ambiguous credentials are a 400 with their own code", "[server][credentials]") {
  const keyledger::Status status = ambiguous_credentials();
  CHECK(status.code() == keyledger::StatusCode::kInvalidArgument);
  CHECK(status.reason() == "ambiguous_credentials");
  CHECK(http_status_of(status) == 400);
  CHECK(translate("ambiguous_credentials", Language::kSpanish, "") !=
        translate("ambiguous_credentials", Language::kEnglish, ""));
  CHECK_FALSE(translate("ambiguous_credentials", Language::kEnglish, "").empty());
}
