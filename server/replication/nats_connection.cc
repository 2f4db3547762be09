#include "server/replication/nats_connection.h"

#include <nats/nats.h>

#include "server/replication/nats_errors.h"

namespace keyledger::replication {
namespace {

// nats.c's asynchronous error callback: counts permission violations (a
// publish or request the servers refused for these credentials).
void on_async_error(natsConnection*, natsSubscription*, natsStatus error, void* closure) {
  if (error == NATS_NOT_PERMITTED) static_cast<std::atomic<std::uint64_t>*>(closure)->fetch_add(1);
}

Status bad_option(natsStatus status, const std::string& what) {
  return invalid_argument(Reason::kBadFlag, what + ": " + natsStatus_GetText(status));
}

// Applies `options` to `nats_options`; kInvalidArgument for one nats.c
// refuses (an unreadable CA file).
Status configure(natsOptions* nats_options, const NatsConnectionOptions& options,
                 std::atomic<std::uint64_t>* violations) {
  std::vector<const char*> servers;
  for (const auto& url : options.urls) servers.push_back(url.c_str());
  if (servers.empty()) return invalid_argument(Reason::kBadFlag, "no NATS server URL");
  natsStatus s =
      natsOptions_SetServers(nats_options, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetName(nats_options, options.name.c_str());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(nats_options, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(nats_options, options.reconnect_wait.count());
  if (s == NATS_OK) s = natsOptions_SetTimeout(nats_options, options.connect_timeout.count());
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(nats_options, on_async_error, violations);
  if (s == NATS_OK && !options.user.empty())
    s = natsOptions_SetUserInfo(nats_options, options.user.c_str(), options.password.c_str());
  if (s != NATS_OK) return bad_option(s, "the NATS connection options");
  if (!options.ca_file.empty()) {
    s = natsOptions_LoadCATrustedCertificates(nats_options, options.ca_file.c_str());
    if (s != NATS_OK) return bad_option(s, "the NATS CA file " + options.ca_file);
  }
  return Status::ok();
}

}  // namespace

std::string open_access_warning(const NatsConnectionOptions& options) {
  if (!options.user.empty()) return "";
  return "connecting to NATS without credentials: unless the NATS servers restrict anonymous "
         "clients, anyone who reaches them may read the event stream (it carries password "
         "hashes) and publish events on it";
}

StatusOr<std::unique_ptr<NatsConnection>> NatsConnection::connect(
    const NatsConnectionOptions& options) {
  std::unique_ptr<NatsConnection> made(new NatsConnection());
  made->request_timeout_ = options.request_timeout;
  natsOptions* nats_options = nullptr;
  if (natsStatus s = natsOptions_Create(&nats_options); s != NATS_OK)
    return nats_failure(s, static_cast<jsErrCode>(0), "creating NATS options", false);
  Status configured = configure(nats_options, options, made->violations_.get());
  if (!configured.is_ok()) {
    natsOptions_Destroy(nats_options);
    return configured;
  }
  natsStatus s = natsConnection_Connect(&made->connection_, nats_options);
  natsOptions_Destroy(nats_options);
  if (s != NATS_OK) return nats_failure(s, static_cast<jsErrCode>(0), "connecting to NATS", false);
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = options.request_timeout.count();
  s = natsConnection_JetStream(&made->jetstream_, made->connection_, &js_options);
  if (s != NATS_OK)
    return nats_failure(s, static_cast<jsErrCode>(0), "opening NATS JetStream", false);
  return made;
}

NatsConnection::~NatsConnection() {
  if (jetstream_ != nullptr) jsCtx_Destroy(jetstream_);
  if (connection_ != nullptr) {
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
  }
}

}  // namespace keyledger::replication

namespace keyledger::replication {
namespace {

// "host:port" with a host and a port 1..65535; no user info (credentials
// belong in their own flags, not in a URL that logs and `ps` show).
bool valid_authority(const std::string& authority) {
  if (authority.find('@') != std::string::npos || authority.find('/') != std::string::npos)
    return false;
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == authority.size()) return false;
  const std::string port = authority.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
  const int number = std::stoi(port);
  return number >= 1 && number <= 65535;
}

}  // namespace

StatusOr<std::vector<std::string>> parse_nats_urls(const std::string& text) {
  std::vector<std::string> urls;
  std::size_t start = 0;
  for (int item = 1;; ++item) {
    const auto comma = text.find(',', start);
    const std::string url = text.substr(start, comma == std::string::npos ? comma : comma - start);
    const bool known_scheme = url.rfind("nats://", 0) == 0 || url.rfind("tls://", 0) == 0;
    if (!known_scheme || !valid_authority(url.substr(url.find("://") + 3)))
      return invalid_argument(Reason::kBadFlag,
                              "--nats: item " + std::to_string(item) +
                                  " is not a NATS server URL (nats://HOST:PORT or "
                                  "tls://HOST:PORT, comma-separated, no credentials in it)",
                              "nats");
    urls.push_back(url);
    if (comma == std::string::npos) return urls;
    start = comma + 1;
  }
}

}  // namespace keyledger::replication
