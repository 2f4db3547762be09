#include "server/api/request_bodies.h"

#include "core/text.h"
#include "server/http/json_body.h"

namespace keyledger::server {

bool is_json_media_type(std::string_view content_type) {
  const std::string_view type =
      trim_trailing(content_type.substr(0, content_type.find(';')), " \t");
  return equals_ignoring_case(type, "application/json");
}

std::optional<Json> read_json_body(const Exchange& exchange, const Reply& reply,
                                   std::initializer_list<std::string_view> allowed) {
  if (!is_json_media_type(exchange.request[http::field::content_type])) {
    reply(ApiError::kUnsupportedMediaType);
    return std::nullopt;
  }
  auto parsed = parse_json_object(exchange.request.body(), allowed);
  if (!parsed.is_ok()) {
    reply(parsed.status());
    return std::nullopt;
  }
  return std::move(parsed).value();
}

}  // namespace keyledger::server
