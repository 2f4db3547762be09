// Human-readable error messages in English and Spanish, chosen from
// Accept-Language. Machine codes (Status reasons) never change with the
// language; only the message does.
//
// This is keyledger's one table of error messages. It lives in the HTTP
// part because the error envelope (responses.cc) fills in its messages from
// it; the web part serves the same table to the panel (GET /v1/messages),
// which keeps no copy of its own.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace keyledger::server {

enum class Language { kEnglish, kSpanish };

// Picks the best supported language from an Accept-Language header
// ("es-ES,es;q=0.9,en;q=0.8" → Spanish); English when nothing matches.
Language negotiate_language(std::string_view accept_language);

std::string_view language_tag(Language language);

// The language a tag names exactly ("en", "es"); nullopt for any other.
std::optional<Language> language_of_tag(std::string_view tag);

// One row of the table: a stable error code and its message in each
// language.
struct ErrorMessage {
  std::string_view code;
  std::string_view english;
  std::string_view spanish;

  std::string_view in(Language language) const {
    return language == Language::kSpanish ? spanish : english;
  }
};

// Every row, each code once.
std::span<const ErrorMessage> error_messages();

// The message for a stable error code in `language`; `fallback` (usually
// the English message from core) when the code has no entry.
std::string translate(std::string_view code, Language language, std::string_view fallback);

}  // namespace keyledger::server
