// The bytes of an HTTP response, written into a buffer the caller keeps:
// the hot path serialises each answer with one pass over its fields instead
// of Beast's generic buffer-sequence serializer. The output is byte for
// byte what Beast's serializer writes for the same message.
#pragma once

#include <string>

#include "server/http/http_types.h"

namespace keyledger::server {

// Whether serialize_response() can write `response`: a body sent whole
// (Content-Length or none), not chunked. Others go through Beast.
bool is_serializable_whole(const HttpResponse& response);

// Replaces `out` with the status line, the fields in their order, the blank
// line and the body. Keeps `out`'s capacity, so a connection's buffer
// stops allocating after its first answers.
void serialize_response(const HttpResponse& response, std::string& out);

}  // namespace keyledger::server
