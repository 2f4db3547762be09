#include "server/api/request_bodies.h"

#include "core/text.h"

namespace keyledger::server {

bool is_json_media_type(std::string_view content_type) {
  const std::string_view type =
      trim_trailing(content_type.substr(0, content_type.find(';')), " \t");
  return equals_ignoring_case(type, "application/json");
}

}  // namespace keyledger::server
