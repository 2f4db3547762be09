// How the HTTP front end reads a request: the parser's limits and what a
// read error becomes. Kept apart from the socket code so the fuzzer drives
// the very same parser settings without a connection.
#pragma once

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <string_view>

#include "server/http_types.h"

namespace keyledger::server {

struct HttpLimits;

using RequestParser = http::request_parser<http::string_body>;

// Applies the header and body limits to a fresh parser.
void limit_request_parser(RequestParser& parser, const HttpLimits& limits);

// The answer to a request that failed to parse: 413 body_too_large,
// 431 headers_too_large, else 400 bad_request.
struct ReadRejection {
  unsigned status;
  std::string_view code;
};
ReadRejection rejection_for(const boost::beast::error_code& error);

}  // namespace keyledger::server
