// GET /v1/messages over HTTP: the one table of error messages, served to
// anyone (the panel reads it on its sign-in page, before anyone signs in),
// holding exactly the words the error answers carry.
#include <catch2/catch.hpp>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

using namespace keyledger::testing;
using nlohmann::json;

TEST_CASE("the error messages are served to anyone, in the language asked for", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  auto spanish = client.get("/v1/messages?lang=es");
  REQUIRE(spanish.status == 200);
  CHECK(spanish.headers["content-type"].rfind("application/json", 0) == 0);
  CHECK(spanish.headers["content-language"] == "es");
  CHECK(spanish.headers["vary"].find("Accept-Language") != std::string::npos);
  CHECK(spanish.json()["language"] == "es");
  CHECK(spanish.json()["messages"]["invalid_credentials"] == "Las credenciales no son válidas.");

  auto english = client.get("/v1/messages", {{"Accept-Language", "en-GB"}});
  REQUIRE(english.status == 200);
  CHECK(english.json()["language"] == "en");
  CHECK(english.json()["messages"].size() == spanish.json()["messages"].size());
  CHECK(english.json()["messages"]["invalid_credentials"] == "The credentials are invalid.");

  // A language keyledger lacks, asked by the browser: English.
  auto french = client.get("/v1/messages", {{"Accept-Language", "fr-FR,fr;q=0.9"}});
  REQUIRE(french.status == 200);
  CHECK(french.json() == english.json());
}

TEST_CASE("an error answer's message is the served table's for its code", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  for (const std::string language : {"en", "es"}) {
    INFO(language);
    const json messages = client.get("/v1/messages?lang=" + language).json()["messages"];
    const std::map<std::string, std::string> accept = {{"Accept-Language", language}};
    auto missing = client.get("/v1/no-such-page", accept);
    CHECK(missing.error_code() == "not_found");
    CHECK(missing.json()["errors"][0]["message"] == messages["not_found"]);
    auto refused = client.get("/v1/verify", {{"Accept-Language", language}, {"MC-Api-Key", "x"}});
    CHECK(refused.status == 401);
    CHECK(refused.json()["errors"][0]["message"] == messages[refused.error_code()]);
  }
}

TEST_CASE("the error messages refuse a lang they lack, or another parameter", "[integration]") {
  ServerProcess server;
  HttpClient client(server.port());
  for (const std::string target : {"/v1/messages?lang=fr", "/v1/messages?lang=",
                                   "/v1/messages?lang=ES", "/v1/messages?code=not_found"}) {
    INFO(target);
    auto refused = client.get(target, {{"Accept-Language", "es"}});
    CHECK(refused.status == 400);
    CHECK(refused.error_code() == "invalid_parameter");
    CHECK(refused.json()["errors"][0]["message"] == "Un parámetro de consulta no es válido.");
  }
  CHECK(client.get("/v1/messages?lang=fr").json()["errors"][0]["context"]["field"] == "lang");
  // Reading, never writing: only GET (and HEAD) are taken.
  auto posted = client.post_json("/v1/messages", json::object());
  CHECK(posted.status == 405);
  CHECK(posted.headers["allow"] == "GET");
}
