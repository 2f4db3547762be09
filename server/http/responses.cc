#include "server/http/responses.h"

#include <array>

#include "core/enum_table.h"
#include "core/time_format.h"

namespace keyledger::server {

HttpResponse json_response(const Exchange& exchange, unsigned status, const Json& body) {
  HttpResponse response{static_cast<http::status>(status), exchange.request.version()};
  response.set(http::field::content_type, "application/json; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  response.set("X-Request-Id", exchange.request_id);
  response.keep_alive(exchange.request.keep_alive());
  response.body() = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

HttpResponse empty_response(const Exchange& exchange, unsigned status) {
  HttpResponse response{static_cast<http::status>(status), exchange.request.version()};
  response.set(http::field::cache_control, "no-store");
  response.set("X-Request-Id", exchange.request_id);
  response.keep_alive(exchange.request.keep_alive());
  return response;
}

HttpResponse error_response(const Exchange& exchange, unsigned status, std::string_view code,
                            std::string_view fallback_message, Json context) {
  Json error = {{"code", code},
                {"message", translate(code, exchange.language, fallback_message)},
                {"context", std::move(context)}};
  HttpResponse response = json_response(exchange, status, Json{{"errors", Json::array({error})}});
  response.set(http::field::content_language, std::string(language_tag(exchange.language)));
  return response;
}

namespace {

struct CodeStatus {
  StatusCode code;
  unsigned http_status;
};

// Each code's HTTP status, in StatusCode's order (core/enum_table.h).
constexpr std::array<CodeStatus, 11> kHttpStatuses = {{
    {StatusCode::kOk, 200},
    {StatusCode::kInvalidArgument, 400},
    {StatusCode::kNotFound, 404},
    {StatusCode::kAlreadyExists, 409},
    {StatusCode::kFailedPrecondition, 409},
    {StatusCode::kPermissionDenied, 403},
    {StatusCode::kUnauthenticated, 401},
    {StatusCode::kResourceExhausted, 429},
    {StatusCode::kUnavailable, 503},
    {StatusCode::kCorruption, 503},
    {StatusCode::kInternal, 500},
}};

static_assert(covers_enum_in_order(kHttpStatuses, &CodeStatus::code, StatusCode::kInternal));

// The 503s whose code is their own reason's: a client acts on each
// differently from a storage failure (wait, or ask another node: a
// follower past --max-staleness says stale_replica).
bool speaks_for_itself(const Status& status) {
  return status.is(Reason::kShuttingDown) || status.is(Reason::kSeqNotReached) ||
         status.is(Reason::kStaleReplica) || status.is(Reason::kReplicationUnavailable);
}

}  // namespace

unsigned http_status_of(const Status& status) {
  const CodeStatus* entry = enum_entry(kHttpStatuses, status.code());
  return entry ? entry->http_status : 500;
}

HttpResponse status_response(const Exchange& exchange, const Status& status) {
  Json context = Json::object();
  if (!status.field().empty()) context["field"] = status.field();
  std::string code = status.reason();
  // Storage trouble is reported without its internals; an unavailability
  // that is no storage's says what it is.
  if ((status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kCorruption) &&
      !speaks_for_itself(status))
    code = "storage_unavailable";
  if (status.code() == StatusCode::kInternal) code = "internal";
  return error_response(exchange, http_status_of(status), code, status.message(), context);
}

HttpResponse RouteReply::into_response(const Exchange& exchange) && {
  HttpResponse response = std::holds_alternative<Status>(answer_)
                              ? status_response(exchange, std::get<Status>(answer_))
                              : std::move(std::get<HttpResponse>(answer_));
  for (auto& [field, value] : headers_) response.set(field, std::move(value));
  return response;
}

Json rfc3339(TimeNs time_ns) {
  if (time_ns == 0) return nullptr;
  return format_rfc3339(time_ns);
}

std::optional<TimeNs> parse_time(std::string_view text) { return parse_rfc3339_or_date(text); }

}  // namespace keyledger::server
