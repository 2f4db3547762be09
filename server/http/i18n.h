// Human-readable error messages in English and Spanish, chosen from
// Accept-Language. Machine codes (Status reasons) never change with the
// language; only the message does.
#pragma once

#include <string>
#include <string_view>

namespace keyledger::server {

enum class Language { kEnglish, kSpanish };

// Picks the best supported language from an Accept-Language header
// ("es-ES,es;q=0.9,en;q=0.8" → Spanish); English when nothing matches.
Language negotiate_language(std::string_view accept_language);

std::string_view language_tag(Language language);

// The message for a stable error code in `language`; `fallback` (usually
// the English message from core) when the code has no entry.
std::string translate(std::string_view code, Language language, std::string_view fallback);

}  // namespace keyledger::server
