// The one table of error messages (server/http/i18n.h) and the page that
// serves it (GET /v1/messages, server/web): every code an HTTP answer can
// carry has its message in English and in Spanish, and the page serves the
// whole table in the language asked for.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "server/http/i18n.h"
#include "server/web/pages.h"
#include "tests/support/files.h"

using namespace keyledger::server;
using nlohmann::json;

namespace {

const std::filesystem::path kSourceDir = KEYLEDGER_SOURCE_DIR;

// Where the codes of HTTP answers come from: the parts keyledgerd's HTTP
// handlers call, and the handlers.
const char* const kAnsweringParts[] = {"core",          "projections", "server/http",  "server/api",
                                       "server/verify", "server/web",  "server/writer"};

// Reasons in those parts that never become an HTTP answer, and why.
const std::map<std::string, std::string> kNeverAnswered = {
    {"bad_frame", "the verify port's framing: the port closes the connection"},
    {"frame_too_large", "the verify port's framing"},
    {"too_many_segments", "the verify port's framing"},
    {"invalid_prefix", "--token-prefix: keyledgerd refuses to start"},
    {"invalid_scrypt_cost", "the scrypt cost is configuration: keyledgerd refuses to start"},
    {"pepper_too_short", "the pepper: keyledgerd refuses to start"},
    {"projection_too_new", "the stored projection: keyledgerd refuses to start"},
    {"no_commands", "the writer asked to write nothing: no handler does"},
};

// The codes status_response() gives in place of a reason: storage and
// internal failures are answered without their internals; of the
// unavailable reasons, stale_replica (a follower past --max-staleness) and
// replication_unavailable (a leader past --max-unpublished) keep their own.
const char* const kSubstitutedCodes[] = {"storage_unavailable", "shutting_down", "internal",
                                         "stale_replica", "replication_unavailable"};

// The stable name of each Reason enumerator, from core/reasons.h's table
// ("kNameTooLong" → "name_too_long").
std::map<std::string, std::string> reason_names_by_enumerator() {
  const std::string text = keyledger::testing::read_file(kSourceDir / "core" / "reasons.h");
  const std::regex entry(R"re(X\((k\w+),\s*"([a-z0-9_]+)"\))re");
  std::map<std::string, std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), entry), end; it != end; ++it)
    names.emplace((*it)[1], (*it)[2]);
  return names;
}

// Every reason written where it keeps its code on the wire: the Status
// helpers for the codes HTTP answers with their reason (not unavailable,
// corruption or internal, which status_response replaces),
// Status(StatusCode::k…, Reason::k…, …), error_response(…, "code", …) and
// the reader's {status, "code"} pairs. A reason is a Reason enumerator or,
// for the HTTP layer's own codes, a literal.
std::set<std::string> reasons_in_sources() {
  const std::string reason = R"re((?:"([a-z0-9_]+)"|Reason::(k\w+)))re";
  const std::regex patterns[] = {
      std::regex(R"re(\b(?:invalid_argument|not_found|already_exists|failed_precondition)\(\s*)re" +
                 reason),
      std::regex(R"re(StatusCode::k(?:InvalidArgument|NotFound|AlreadyExists|FailedPrecondition|)re"
                 R"re(PermissionDenied|Unauthenticated|ResourceExhausted)\s*,\s*)re" +
                 reason),
      std::regex(R"re(error_response\([^;"{]*)re" + reason),
      std::regex(R"re(\{\s*\d{3}\s*,\s*)re" + reason + R"re(\s*\})re"),
  };
  const auto names = reason_names_by_enumerator();
  REQUIRE(names.size() >= 40);
  std::set<std::string> reasons;
  for (const char* part : kAnsweringParts) {
    for (const auto& entry : std::filesystem::directory_iterator(kSourceDir / part)) {
      const std::string extension = entry.path().extension();
      if (extension != ".cc" && extension != ".h") continue;
      const std::string text = keyledger::testing::read_file(entry.path());
      for (const std::regex& pattern : patterns)
        for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
          if ((*it)[1].matched) {
            reasons.insert((*it)[1]);
            continue;
          }
          const auto name = names.find((*it)[2]);
          INFO((*it)[2] << " in " << entry.path() << " is no Reason of core/reasons.h");
          REQUIRE(name != names.end());
          reasons.insert(name->second);
        }
    }
  }
  return reasons;
}

std::map<std::string, const ErrorMessage*> table_by_code() {
  std::map<std::string, const ErrorMessage*> table;
  for (const ErrorMessage& message : error_messages())
    table.emplace(std::string(message.code), &message);
  return table;
}

json served_table(const std::string& lang_query, const std::string& accept_language = "") {
  Exchange exchange;
  exchange.request.version(11);
  if (!lang_query.empty()) exchange.query.emplace("lang", lang_query);
  exchange.language = negotiate_language(accept_language);
  const HttpResponse response = error_messages_page(exchange);
  REQUIRE(response.result_int() == 200);
  return json::parse(response.body());
}

}  // namespace

TEST_CASE("every error code an HTTP answer can carry has a message in English and in Spanish",
          "[server][web]") {
  const std::set<std::string> reasons = reasons_in_sources();
  // A scan that finds few reasons no longer reads them where they are
  // written.
  REQUIRE(reasons.size() >= 40);
  const auto table = table_by_code();
  std::set<std::string> codes(std::begin(kSubstitutedCodes), std::end(kSubstitutedCodes));
  for (const std::string& reason : reasons)
    if (!kNeverAnswered.count(reason)) codes.insert(reason);
  for (const std::string& code : codes) {
    INFO(code << " has no message in server/http/i18n.cc");
    const auto row = table.find(code);
    REQUIRE(row != table.end());
    CHECK_FALSE(row->second->english.empty());
    CHECK_FALSE(row->second->spanish.empty());
    CHECK(row->second->spanish != row->second->english);
  }
  // The exceptions are real reasons, so the list cannot go stale unseen.
  for (const auto& [reason, why] : kNeverAnswered) {
    INFO(reason << " (" << why << ") is no reason in the sources any more");
    CHECK(reasons.count(reason) == 1);
  }
}

TEST_CASE("the table holds each code once", "[server][web]") {
  CHECK(table_by_code().size() == error_messages().size());
}

TEST_CASE("the messages page serves the whole table in the language asked for", "[server][web]") {
  for (const Language language : {Language::kEnglish, Language::kSpanish}) {
    const std::string tag(language_tag(language));
    INFO(tag);
    const json served = served_table(tag);
    CHECK(served["language"] == tag);
    REQUIRE(served["messages"].size() == error_messages().size());
    for (const ErrorMessage& message : error_messages())
      CHECK(served["messages"][std::string(message.code)] == message.in(language));
  }
  CHECK(served_table("es")["messages"]["key_not_found"] == "No existe esa clave.");
  CHECK(served_table("en")["messages"]["key_not_found"] == "No such key.");
}

TEST_CASE(
    "the messages page follows Accept-Language without lang, and English for a language "
    "it lacks",
    "[server][web]") {
  CHECK(served_table("", "es-ES,es;q=0.9")["language"] == "es");
  CHECK(served_table("", "fr-FR,fr;q=0.9")["language"] == "en");
  CHECK(served_table("", "")["language"] == "en");
  CHECK(served_table("", "fr")["messages"]["key_not_found"] == "No such key.");
  // lang wins over the header.
  CHECK(served_table("en", "es")["language"] == "en");
}

TEST_CASE("the messages page refuses a lang it lacks, and any other parameter", "[server][web]") {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"lang", "fr"}, {"lang", ""}, {"lang", "ES"}, {"lang", "es-ES"}, {"page", "2"}}) {
    INFO(name << "=" << value);
    Exchange exchange;
    exchange.request.version(11);
    exchange.query.emplace(name, value);
    const HttpResponse response = error_messages_page(exchange);
    CHECK(response.result_int() == 400);
    const json body = json::parse(response.body());
    CHECK(body["errors"][0]["code"] == "invalid_parameter");
    CHECK(body["errors"][0]["context"]["field"] == name);
  }
}

TEST_CASE("a code the table lacks is answered with the message it came with", "[server][web]") {
  CHECK(translate("no_such_code", Language::kSpanish, "the fallback") == "the fallback");
  CHECK(translate("no_such_code", Language::kEnglish, "the fallback") == "the fallback");
  CHECK(translate("key_not_found", Language::kSpanish, "the fallback") == "No existe esa clave.");
}
