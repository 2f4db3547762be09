// Checks on a request body that come before its JSON is parsed (see
// json_body.h for the parsing itself).
#pragma once

#include <string_view>

namespace keyledger::server {

// True for "application/json" with any parameters ("; charset=utf-8").
// Media types are case-insensitive, and a prefix such as
// "application/json-seq" is another type.
bool is_json_media_type(std::string_view content_type);

}  // namespace keyledger::server
