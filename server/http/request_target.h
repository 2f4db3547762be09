// Splitting an HTTP request target ("/v1/keys/abc?x=1&y=2") into its path
// and percent-decoded query parameters. Pure functions over untrusted text,
// so the fuzzer can reach them without a socket.
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
  // The path exactly as sent, still percent-encoded: requests are routed on
  // it, so that "/%6detrics" or "/v1%2fsession" is not the route a proxy
  // rule about "/metrics" or "/v1/session" let through. Starts with '/';
  // every escape in it is valid and none decodes to NUL. The router decodes
  // the segments it hands over as parameters.
  std::string path;
  std::multimap<std::string, std::string> query;  // names and values decoded
};

// What parse_request_target found wrong, if anything.
enum class TargetError {
  kNone,
  kBadPath,   // does not decode or does not start with '/' (the API's "bad_request")
  kBadQuery,  // the query string does not decode (the API's "invalid_parameter")
};

// Fills `out`. On kBadQuery out.path is already set, so the access log
// still names it. Empty query pairs ("a=1&&b=2") are skipped.
TargetError parse_request_target(std::string_view target, RequestTarget& out);

}  // namespace keyledger::server
