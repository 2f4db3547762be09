// Checks on a request body that come before its JSON is parsed (see
// json_body.h for the parsing itself), and reading it for a handler.
#pragma once

#include <initializer_list>
#include <optional>
#include <string_view>

#include "server/api/answer.h"

namespace keyledger::server {

// True for "application/json" with any parameters ("; charset=utf-8").
// Media types are case-insensitive, and a prefix such as
// "application/json-seq" is another type.
bool is_json_media_type(std::string_view content_type);

// The request's JSON object, whose fields are all in `allowed`; otherwise
// replies 415 unsupported_media_type or the parse error and returns nullopt.
std::optional<Json> read_json_body(const Exchange& exchange, const Reply& reply,
                                   std::initializer_list<std::string_view> allowed);

}  // namespace keyledger::server
