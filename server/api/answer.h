// What a handler answers, before it is HTTP. A handler gives an Answer: a
// success with its JSON body, or a failure, which is one of the API's own
// codes (api_errors.h) or a core Status. to_response() alone turns it into
// the HTTP answer, with the status the error table or http_status_of gives;
// no handler writes a status number.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"
#include "server/api/api_errors.h"
#include "server/http/http_types.h"
#include "server/http/responses.h"

namespace keyledger::server {

class Answer {
 public:
  // A failure with one of the API's codes; `context` replaces the table's
  // field (if any) when given.
  Answer(ApiError error, Json context = nullptr);  // NOLINT: implicit by design
  // A failure from core; `status` is not ok.
  Answer(Status status);  // NOLINT: implicit by design

  static Answer ok(Json body);       // 200
  static Answer created(Json body);  // 201
  static Answer no_content();        // 204

  // Adds a header (Set-Cookie, Retry-After) to the answer.
  Answer with_header(http::field field, std::string value) &&;
  // The same for a header Beast has no name for (KeyLedger-Seq).
  Answer with_header(std::string_view name, std::string value) &&;

  // For tests and for what must look at an answer before it is sent.
  bool is_failure() const;
  const Status* status() const;
  const Json& body() const { return body_; }

 private:
  struct Success {
    http::status status;
    bool has_body;
  };
  Answer(Success success, Json body);
  friend HttpResponse to_response(const Exchange& exchange, Answer answer);

  std::variant<Success, ApiError, Status> kind_;
  Json body_;  // a success's body, or a failure's context
  std::vector<std::pair<std::string, std::string>> headers_;  // name, value
};

// The HTTP answer to `exchange`.
HttpResponse to_response(const Exchange& exchange, Answer answer);

// How a handler gives its answer, at once or later (after a commit or a
// password hash); called exactly once.
using Reply = std::function<void(Answer)>;
using ExchangePtr = std::shared_ptr<Exchange>;

}  // namespace keyledger::server
