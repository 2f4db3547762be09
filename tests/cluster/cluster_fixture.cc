#include "tests/cluster/cluster_fixture.h"

#include <nats/nats.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>

#include "tests/support/files.h"

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

}  // namespace keyledger::testing
