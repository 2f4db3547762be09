#include "server/verify/verify_handler.h"

#include <string>

#include "server/http/responses.h"
#include "server/verify/presented_token.h"

namespace keyledger::server {

void VerifyHandler::handle(const std::shared_ptr<Exchange>& exchange, const Respond& respond) {
  const PresentedToken presented = presented_token(exchange->request);
  // Two keys verify as neither: nothing is verified, counted or recorded.
  if (presented.presence == PresentedToken::Presence::kAmbiguous)
    return respond(status_response(*exchange, ambiguous_credentials()));
  if (presented.presence == PresentedToken::Presence::kNone)
    return respond(status_response(*exchange, invalid_credentials()));
  std::int64_t retry_after = 0;
  auto verified = verifier_.verify(presented.token, exchange->client_ip, &retry_after);
  if (!verified.is_ok()) {
    HttpResponse response = status_response(*exchange, verified.status());
    if (retry_after > 0) response.set(http::field::retry_after, std::to_string(retry_after));
    return respond(std::move(response));
  }
  exchange->user = verified->user_id;
  respond(verified_key_response(*exchange, verified->user_id, privilege_name(verified->privilege),
                                verified->key_id));
}

}  // namespace keyledger::server
