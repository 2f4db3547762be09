// The one table of error messages, for the panel (and any other client)
// to show a refusal in the person's language, and to show it again in the
// other language when the person switches.
#include "server/http/responses.h"
#include "server/web/pages.h"

namespace keyledger::server {

HttpResponse error_messages_page(const Exchange& exchange) {
  const StatusOr<Language> language = requested_language(exchange);
  if (!language.is_ok()) return status_response(exchange, language.status());
  Json messages = Json::object();
  for (const ErrorMessage& message : error_messages())
    messages[std::string(message.code)] = message.in(*language);
  HttpResponse response = json_response(
      exchange, 200, {{"language", language_tag(*language)}, {"messages", std::move(messages)}});
  response.set(http::field::content_language, language_tag(*language));
  response.set(http::field::vary, "Accept-Language");
  return response;
}

}  // namespace keyledger::server
