// How the HTTP front end reads a request: the parser's limits, the framing
// it accepts, and what a read error becomes. Kept apart from the socket
// code so the fuzzer and the unit tests drive the very same parsing
// without a connection.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/system/error_code.hpp>
#include <string_view>
#include <type_traits>

#include "server/http/http_types.h"

namespace keyledger::server {

struct HttpLimits;

using RequestParser = http::request_parser<http::string_body>;

// Applies the header and body limits to a fresh parser.
void limit_request_parser(RequestParser& parser, const HttpLimits& limits);

// Requests whose header Beast's parser accepts but whose body keyledgerd
// will not read (RFC 9112 §6.1 and §6.3). Either way the connection is
// closed after the answer, so that no byte of the body can be read as the
// next request (request smuggling).
enum class FramingError {
  // 400: the body's length cannot be known. Transfer-Encoding whose final
  // coding is not chunked (Beast would read no body at all), chunked
  // applied twice, Transfer-Encoding beside Content-Length, or in HTTP/1.0.
  kUnknownBodyLength = 1,
  // 501: a transfer coding other than chunked (gzip, chunked): keyledgerd
  // decodes chunked only.
  kUnsupportedTransferCoding,
};
boost::system::error_code make_error_code(FramingError error);

// The framing error of a request whose header is parsed, or no error.
// Every Transfer-Encoding field line counts (several lines are one list),
// codings compare case-insensitively, and empty list elements are skipped.
// The only accepted value is one `chunked`, and only when the parser
// agrees that the body is chunked.
boost::system::error_code framing_error(const RequestParser& parser);

// parser.put() followed, once the header is complete, by framing_error():
// what a connection feeds its parser. The parser must not be eager (the
// default), so that put() stops after the header and the framing is
// checked before any body byte is taken. Returns the bytes used.
std::size_t put_request_bytes(RequestParser& parser, boost::asio::const_buffer bytes,
                              boost::system::error_code& error);

// The answer to a request that failed to parse: 413 body_too_large,
// 431 headers_too_large, 501 unsupported_transfer_coding, else 400
// bad_request.
struct ReadRejection {
  unsigned status;
  std::string_view code;
};
ReadRejection rejection_for(const boost::beast::error_code& error);

}  // namespace keyledger::server

namespace boost::system {
template <>
struct is_error_code_enum<keyledger::server::FramingError> : std::true_type {};
}  // namespace boost::system
