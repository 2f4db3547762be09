#include "server/http_request_parsing.h"

#include "server/http_server.h"

namespace keyledger::server {

void limit_request_parser(RequestParser& parser, const HttpLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
}

ReadRejection rejection_for(const boost::beast::error_code& error) {
  if (error == http::error::body_limit) return {413, "body_too_large"};
  if (error == http::error::header_limit) return {431, "headers_too_large"};
  return {400, "bad_request"};
}

}  // namespace keyledger::server
