#include "tests/security/security_support.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>

namespace keyledger::testing {

void require_served_normally(unsigned short port) {
  HttpClient client(port);
  REQUIRE(client.get("/healthz").status == 200);
  REQUIRE(client.login("admin", kAdminPassword).status == 200);
  auto key = client.post_json("/v1/keys", {{"name", "still-served"}});
  REQUIRE(key.status == 201);
  HttpClient api(port);
  REQUIRE(api.get("/v1/verify", {{"MC-Api-Key", key.json()["key"].get<std::string>()}}).status ==
          200);
  REQUIRE(client.del("/v1/keys/" + key.json()["id"].get<std::string>()).status == 204);
}

std::optional<double> metric_value(unsigned short port, const std::string& name) {
  HttpClient client(port);
  auto metrics = client.get("/metrics");
  if (metrics.status != 200) return std::nullopt;
  std::istringstream lines(metrics.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

LoopbackConnection held_connection(const std::string& source_ip, unsigned short port) {
  LoopbackConnection connection(source_ip, port);
  if (!connection.connected()) return connection;
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  if (!connection.send(request) || connection.read_response(milliseconds(5000)).status != 200)
    connection.close();
  return connection;
}

void create_user(HttpClient& admin, const std::string& user, const std::string& privilege,
                 const std::string& password) {
  const std::string chosen = password.empty() ? user + "-password-1" : password;
  auto created = admin.post_json("/v1/users",
                                 {{"user", user}, {"password", chosen}, {"privilege", privilege}});
  INFO("creating user " << user << ": " << created.status << " " << created.body);
  REQUIRE(created.status == 201);
}

std::string attacker_ip(int n) {
  // 127.0.0.2 … 127.0.0.254, then 127.0.1.x: loopback is all of 127/8.
  return "127.0." + std::to_string(n / 254) + "." + std::to_string(n % 254 + (n < 254 ? 0 : 1));
}

int abuse_scale() {
  const char* text = std::getenv("KEYLEDGER_ABUSE_SCALE");
  const int scale = text ? std::atoi(text) : 1;
  return scale >= 1 ? scale : 1;
}

}  // namespace keyledger::testing
