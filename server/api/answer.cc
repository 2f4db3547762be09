#include "server/api/answer.h"

namespace keyledger::server {

Answer::Answer(ApiError error, Json context) : kind_(error), body_(std::move(context)) {}

Answer::Answer(Status status) : kind_(std::move(status)) {}

Answer::Answer(Success success, Json body) : kind_(success), body_(std::move(body)) {}

Answer Answer::ok(Json body) { return Answer(Success{http::status::ok, true}, std::move(body)); }

Answer Answer::created(Json body) {
  return Answer(Success{http::status::created, true}, std::move(body));
}

Answer Answer::no_content() { return Answer(Success{http::status::no_content, false}, nullptr); }

Answer Answer::with_header(http::field field, std::string value) && {
  return std::move(*this).with_header(http::to_string(field), std::move(value));
}

Answer Answer::with_header(std::string_view name, std::string value) && {
  headers_.emplace_back(std::string(name), std::move(value));
  return std::move(*this);
}

bool Answer::is_failure() const {
  return std::holds_alternative<ApiError>(kind_) || std::holds_alternative<Status>(kind_);
}

const Status* Answer::status() const { return std::get_if<Status>(&kind_); }

namespace {

HttpResponse api_error_response(const Exchange& exchange, ApiError error, Json context) {
  const ApiErrorInfo& info = api_error_info(error);
  if (context.is_null()) {
    context = Json::object();
    if (!info.field.empty()) context["field"] = info.field;
  }
  return error_response(exchange, info.http_status, info.code, info.message, std::move(context));
}

HttpResponse success_response(const Exchange& exchange, http::status status, bool has_body,
                              const Json& body) {
  const auto code = static_cast<unsigned>(status);
  return has_body ? json_response(exchange, code, body) : empty_response(exchange, code);
}

}  // namespace

HttpResponse to_response(const Exchange& exchange, Answer answer) {
  HttpResponse response;
  if (auto* error = std::get_if<ApiError>(&answer.kind_))
    response = api_error_response(exchange, *error, std::move(answer.body_));
  else if (auto* status = std::get_if<Status>(&answer.kind_))
    response = status_response(exchange, *status);
  else if (auto* success = std::get_if<Answer::Success>(&answer.kind_))
    response = success_response(exchange, success->status, success->has_body, answer.body_);
  for (auto& [name, value] : answer.headers_) response.set(name, std::move(value));
  return response;
}

}  // namespace keyledger::server
