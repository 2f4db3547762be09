#include "tests/reliability/api_calls.h"

namespace keyledger::reliability {

std::optional<ApiKey> sign_in_and_create_key(unsigned short port, const std::string& user,
                                             const std::string& password, const std::string& name) {
  HttpSession session(port);
  auto login = session.send("POST", "/v1/login",
                            nlohmann::json{{"user", user}, {"password", password}}.dump());
  if (!login || login->status != 200) return std::nullopt;
  // The session cookie comes back in Set-Cookie; HttpSession keeps no
  // headers, and the login answer carries what is needed in its body.
  auto body = login->json();
  if (body.is_discarded() || !body.contains("csrf_token")) return std::nullopt;
  if (login->session_cookie.empty()) return std::nullopt;
  auto created = session.send(
      "POST", "/v1/keys", nlohmann::json{{"name", name}}.dump(),
      {{"Cookie", login->session_cookie}, {"X-CSRF-Token", body["csrf_token"].get<std::string>()}});
  if (!created || created->status != 201) return std::nullopt;
  auto key = created->json();
  return ApiKey{key["id"].get<std::string>(), key["key"].get<std::string>()};
}

std::map<std::string, std::string> with_key(const std::string& token) {
  return {{"MC-Api-Key", token}};
}

std::optional<ObservedKeys> list_keys(HttpSession& session, const std::string& token) {
  auto reply = session.send("GET", "/v1/credentials", "", with_key(token));
  if (!reply || reply->status != 200) return std::nullopt;
  auto body = reply->json();
  if (body.is_discarded() || !body.contains("keys")) return std::nullopt;
  ObservedKeys keys;
  for (const auto& key : body["keys"])
    keys[key["id"].get<std::string>()] = key["name"].get<std::string>();
  return keys;
}

}  // namespace keyledger::reliability
