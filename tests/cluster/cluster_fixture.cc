#include "tests/cluster/cluster_fixture.h"

#include <nats/nats.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>

#include "storage/rocks_event_log.h"
#include "tests/support/files.h"
#include "tests/support/http_client.h"

namespace keyledger::testing {

NatsCluster& shared_nats_cluster() {
  static NatsCluster cluster(3, NatsAuth::kAccounts);
  return cluster;
}

std::string fresh_stream_name() {
  static std::atomic<int> count{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "T" + std::to_string(::getpid()) + "_" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) + "_" +
         std::to_string(++count);
}

replication::NatsConnectionOptions nats_options(const NatsCluster& cluster,
                                                const NatsCredentials& credentials) {
  replication::NatsConnectionOptions options;
  for (int i = 0; i < cluster.size(); ++i) options.urls.push_back(cluster.url(i));
  options.user = credentials.user;
  options.password = credentials.password;
  options.request_timeout = std::chrono::milliseconds(1000);
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.reconnect_wait = std::chrono::milliseconds(100);
  return options;
}

std::vector<std::string> keyledgerd_nats_flags(const NatsCluster& cluster,
                                               const NatsCredentials& credentials,
                                               const std::string& name,
                                               const std::filesystem::path& scratch) {
  std::vector<std::string> flags = {"--nats", cluster.urls(), "--nats-stream", name};
  if (credentials.user.empty()) return flags;
  const auto password_file = scratch / ("nats-password-" + credentials.user);
  write_file(password_file, credentials.password);
  std::filesystem::permissions(
      password_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  flags.insert(flags.end(),
               {"--nats-user", credentials.user, "--nats-password-file", password_file.string()});
  return flags;
}

namespace {

std::unique_ptr<replication::JetStreamEventStream> stream_as(const NatsCluster& cluster,
                                                             const NatsCredentials& credentials,
                                                             const std::string& name,
                                                             const std::string& ledger_id) {
  auto connection = replication::NatsConnection::connect(nats_options(cluster, credentials));
  INFO(connection.status().to_string());
  REQUIRE(connection.is_ok());
  replication::JetStreamOptions options;
  options.stream = name;
  options.replicas = cluster.size() >= 3 ? 3 : 1;
  return std::make_unique<replication::JetStreamEventStream>(std::move(*connection), options,
                                                             ledger_id);
}

}  // namespace

std::unique_ptr<replication::JetStreamEventStream> leader_stream(const NatsCluster& cluster,
                                                                 const std::string& name,
                                                                 const std::string& ledger_id) {
  return stream_as(cluster, cluster.leader_credentials(), name, ledger_id);
}

std::unique_ptr<replication::JetStreamEventStream> follower_stream(const NatsCluster& cluster,
                                                                   const std::string& name) {
  return stream_as(cluster, cluster.follower_credentials(), name, "follower");
}

void make_raw_stream(const NatsCluster& cluster, const std::string& name,
                     const std::string& subject, int max_age_seconds) {
  natsConnection* connection = nullptr;
  natsOptions* options = nullptr;
  REQUIRE(natsOptions_Create(&options) == NATS_OK);
  REQUIRE(natsOptions_SetURL(options, cluster.url(0).c_str()) == NATS_OK);
  const auto& leader = cluster.leader_credentials();
  if (!leader.user.empty())
    REQUIRE(natsOptions_SetUserInfo(options, leader.user.c_str(), leader.password.c_str()) ==
            NATS_OK);
  REQUIRE(natsConnection_Connect(&connection, options) == NATS_OK);
  jsCtx* js = nullptr;
  REQUIRE(natsConnection_JetStream(&js, connection, nullptr) == NATS_OK);
  const char* subjects[] = {subject.c_str()};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name.c_str();
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.MaxAge = static_cast<int64_t>(max_age_seconds) * 1'000'000'000;
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus made = js_AddStream(&info, js, &config, nullptr, &code);
  INFO(natsStatus_GetText(made) << " " << static_cast<int>(code));
  CHECK(made == NATS_OK);
  if (info != nullptr) jsStreamInfo_Destroy(info);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  natsOptions_Destroy(options);
}

nlohmann::json readiness(unsigned short port) {
  try {
    return nlohmann::json::parse(HttpClient(port).get("/readyz").body, nullptr, false);
  } catch (const std::exception&) {  // no answer: the node is down
    return nlohmann::json::value_t::discarded;
  }
}

bool published_all(unsigned short port) {
  const auto ready = readiness(port);
  return ready.is_object() && ready.contains("replication") &&
         ready["replication"]["published_seq"] == ready["head_seq"] &&
         ready["replication"]["unpublished_events"] == 0;
}

namespace {

std::unique_ptr<storage::RocksEventLog> read_only_log(const std::filesystem::path& data_dir) {
  storage::RocksOptions options;
  options.mode = storage::OpenMode::kReadOnly;
  auto log = storage::RocksEventLog::open(data_dir / "ledger", options);
  INFO(log.status().to_string());
  REQUIRE(log.is_ok());
  return std::move(*log);
}

}  // namespace

LogHead head_of(const std::filesystem::path& data_dir) { return read_only_log(data_dir)->head(); }

std::vector<std::string> log_events(const std::filesystem::path& data_dir, std::uint64_t from_seq) {
  std::vector<std::string> events;
  REQUIRE(read_only_log(data_dir)
              ->read_events(from_seq,
                            [&](std::uint64_t, std::string_view bytes) {
                              events.emplace_back(bytes);
                              return true;
                            })
              .is_ok());
  return events;
}

std::vector<std::string> stream_messages(const NatsCluster& cluster, const std::string& stream,
                                         std::uint64_t from_seq) {
  auto reader = follower_stream(cluster, stream);
  auto last = reader->last_seq();
  REQUIRE(last.is_ok());
  std::vector<std::string> messages;
  for (std::uint64_t seq = from_seq; seq <= *last; ++seq) {
    auto message = reader->get(seq);
    REQUIRE(message.is_ok());
    messages.push_back(message->bytes);
  }
  return messages;
}

RestartKilledNodes::~RestartKilledNodes() {
  for (int i = 0; i < cluster_.size(); ++i) {
    if (cluster_.running(i)) continue;
    try {
      cluster_.start_stopped_nodes();
    } catch (const std::exception& error) {  // a destructor must not throw
      WARN("could not restart the killed NATS nodes: " << error.what());
    }
    return;
  }
}

NatsProxies::NatsProxies(const NatsCluster& cluster) {
  for (int i = 0; i < cluster.size(); ++i)
    proxies_.push_back(std::make_unique<TcpProxy>(cluster.client_port(i)));
}

std::string NatsProxies::urls() const {
  std::string urls;
  for (const auto& proxy : proxies_)
    urls += (urls.empty() ? "" : ",") + std::string("nats://127.0.0.1:") +
            std::to_string(proxy->port());
  return urls;
}

void NatsProxies::pause_all(ProxyPause how) {
  for (auto& proxy : proxies_) proxy->pause(how);
}

void NatsProxies::resume_all() {
  for (auto& proxy : proxies_) proxy->resume();
}

std::vector<std::string> with_nats_urls(std::vector<std::string> flags, const std::string& urls) {
  const auto nats = std::find(flags.begin(), flags.end(), "--nats");
  REQUIRE(nats != flags.end());
  REQUIRE(std::next(nats) != flags.end());
  *std::next(nats) = urls;
  return flags;
}

}  // namespace keyledger::testing
