#include "server/http/http_request_parsing.h"

#include <string>

#include "core/text.h"
#include "server/http/http_server.h"

namespace keyledger::server {
namespace {

class FramingCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "keyledger.request_framing"; }
  std::string message(int value) const override {
    switch (static_cast<FramingError>(value)) {
      case FramingError::kUnknownBodyLength:
        return "the request's body length cannot be determined from its Transfer-Encoding";
      case FramingError::kUnsupportedTransferCoding:
        return "the request uses a transfer coding other than chunked";
    }
    return "request framing error";
  }
};

const FramingCategory& framing_category() {
  static const FramingCategory category;
  return category;
}

// Calls `visit` with each non-empty element of a comma-separated field
// value, without its surrounding white space (RFC 9110 §5.6.1).
template <typename Visit>
void for_each_list_element(std::string_view value, Visit&& visit) {
  for (std::string_view element : split(value, ",")) {
    element = trim(element, " \t");
    if (!element.empty()) visit(element);
  }
}

}  // namespace

boost::system::error_code make_error_code(FramingError error) {
  return {static_cast<int>(error), framing_category()};
}

void limit_request_parser(RequestParser& parser, const HttpLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
}

boost::system::error_code framing_error(const RequestParser& parser) {
  const auto& header = parser.get();
  const auto [first, last] = header.equal_range(http::field::transfer_encoding);
  if (first == last) return {};
  // HTTP/1.0 has no transfer codings; RFC 9112 §6.1 calls such framing
  // faulty. Beside a Content-Length it is a smuggling attempt (§6.3);
  // Beast refuses most such pairs itself, this refuses them all.
  if (header.version() < 11 || header.count(http::field::content_length) > 0)
    return FramingError::kUnknownBodyLength;
  std::size_t codings = 0, chunked = 0;
  bool chunked_is_final = false;
  for (auto field = first; field != last; ++field) {
    for_each_list_element(field->value(), [&](std::string_view coding) {
      ++codings;
      chunked_is_final = equals_ignoring_case(coding, "chunked");
      if (chunked_is_final) ++chunked;
    });
  }
  // What the parser did matters as much as what the field says: a body it
  // does not read as chunked would be read as the next request.
  if (!chunked_is_final || chunked > 1 || !parser.chunked())
    return FramingError::kUnknownBodyLength;
  if (codings > 1) return FramingError::kUnsupportedTransferCoding;
  return {};
}

std::size_t put_request_bytes(RequestParser& parser, boost::asio::const_buffer bytes,
                              boost::system::error_code& error) {
  const bool had_header = parser.is_header_done();
  const std::size_t used = parser.put(bytes, error);
  if (!error && !had_header && parser.is_header_done()) error = framing_error(parser);
  return used;
}

ReadRejection rejection_for(const boost::beast::error_code& error) {
  if (error == http::error::body_limit) return {413, "body_too_large"};
  if (error == http::error::header_limit) return {431, "headers_too_large"};
  if (error == FramingError::kUnsupportedTransferCoding)
    return {501, "unsupported_transfer_coding"};
  return {400, "bad_request"};
}

}  // namespace keyledger::server
