#include "server/http/response_serializer.h"

#include <array>

namespace keyledger::server {

bool is_serializable_whole(const HttpResponse& response) { return !response.chunked(); }

void serialize_response(const HttpResponse& response, std::string& out) {
  out.clear();
  const unsigned version = response.version();
  const unsigned status = response.result_int();
  // "HTTP/1.1 200 " as Beast writes it: one digit each side of the dot,
  // the status as three digits.
  const std::array<char, 13> start = {'H',
                                      'T',
                                      'T',
                                      'P',
                                      '/',
                                      static_cast<char>('0' + version / 10),
                                      '.',
                                      static_cast<char>('0' + version % 10),
                                      ' ',
                                      static_cast<char>('0' + status / 100 % 10),
                                      static_cast<char>('0' + status / 10 % 10),
                                      static_cast<char>('0' + status % 10),
                                      ' '};
  out.append(start.data(), start.size());
  std::string_view reason = response.reason();
  if (reason.empty()) reason = http::obsolete_reason(response.result());
  out += reason;
  out += "\r\n";
  for (const auto& field : response) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
  out += response.body();
}

}  // namespace keyledger::server
