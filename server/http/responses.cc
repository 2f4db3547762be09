#include "server/http/responses.h"

#include <algorithm>
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

namespace {

// Appends `text` as a JSON string exactly as Json::dump() writes it: plain
// printable ASCII as it is, anything else (quotes, control characters,
// UTF-8, invalid bytes) through the JSON library itself.
void append_json_string(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    out += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

}  // namespace

HttpResponse verified_key_response(const Exchange& exchange, std::string_view user,
                                   std::string_view privilege, std::string_view key_id) {
  HttpResponse response{http::status::ok, exchange.request.version()};
  // The fields are new, so insert() gives what set() would, without
  // looking for an earlier value first.
  response.insert(http::field::content_type, "application/json; charset=utf-8");
  response.insert(http::field::cache_control, "no-store");
  response.insert("X-Request-Id", exchange.request_id);
  response.keep_alive(exchange.request.keep_alive());
  // Json objects keep their keys sorted; so does this.
  std::string& body = response.body();
  body.reserve(40 + user.size() + privilege.size() + key_id.size());
  body += "{\"key_id\":";
  append_json_string(body, key_id);
  body += ",\"privilege\":";
  append_json_string(body, privilege);
  body += ",\"user\":";
  append_json_string(body, user);
  body += '}';
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

}  // namespace

unsigned http_status_of(const Status& status) {
  const CodeStatus* entry = enum_entry(kHttpStatuses, status.code());
  return entry ? entry->http_status : 500;
}

HttpResponse status_response(const Exchange& exchange, const Status& status) {
  Json context = Json::object();
  if (!status.field().empty()) context["field"] = status.field();
  std::string code = status.reason();
  // Storage trouble is reported without its internals.
  if (status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kCorruption) {
    code = status.is(Reason::kShuttingDown) ? "shutting_down" : "storage_unavailable";
  }
  if (status.code() == StatusCode::kInternal) code = "internal";
  return error_response(exchange, http_status_of(status), code, status.message(), context);
}

Json rfc3339(TimeNs time_ns) {
  if (time_ns == 0) return nullptr;
  return format_rfc3339(time_ns);
}

std::optional<TimeNs> parse_time(std::string_view text) { return parse_rfc3339_or_date(text); }

}  // namespace keyledger::server
