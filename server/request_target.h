// Splitting an HTTP request target ("/v1/keys/abc?x=1&y=2") into its
// percent-decoded path and query parameters. Pure functions over untrusted
// text, so the fuzzer can reach them without a socket.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace keyledger::server {

// Percent-decodes; nullopt on a bad escape or a decoded NUL. With
// `plus_is_space` (query strings) '+' becomes ' '.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

struct RequestTarget {
  std::string path;  // percent-decoded, starts with '/'
  std::multimap<std::string, std::string> query;
};

// Fills `out`; on failure returns the API error code: "bad_request" for a
// path that does not decode or does not start with '/', "invalid_parameter"
// for a query string that does not decode (out.path is already set then, so
// the access log still names it). Empty query pairs ("a=1&&b=2") are
// skipped. Returns "" on success.
std::string_view parse_request_target(std::string_view target, RequestTarget& out);

}  // namespace keyledger::server
