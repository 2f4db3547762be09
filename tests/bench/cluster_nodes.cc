#include "tests/bench/cluster_nodes.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <thread>

#include "server/replication/jetstream_stream.h"
#include "tests/support/http_client.h"

namespace keyledger::bench {

BenchNats::BenchNats(std::filesystem::path scratch)
    : scratch_(std::move(scratch)), cluster_(3, testing::NatsAuth::kAccounts) {}

NatsUser BenchNats::user(const testing::NatsCredentials& credentials) const {
  NatsUser who{{}, credentials.user, credentials.password};
  for (int i = 0; i < cluster_.size(); ++i) who.urls.push_back(cluster_.url(i));
  return who;
}

std::string BenchNats::password_file(const testing::NatsCredentials& credentials) const {
  const auto path = scratch_ / ("nats-password-" + credentials.user);
  if (!std::filesystem::exists(path)) {
    std::ofstream(path) << credentials.password;
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace);
  }
  return path.string();
}

std::string BenchNats::fresh_stream(const std::string& purpose) const {
  static int count = 0;
  return "BENCH_" + purpose + "_" + std::to_string(::getpid()) + "_" + std::to_string(++count);
}

namespace {

// Stream `name` over a new connection as `who`.
std::unique_ptr<replication::JetStreamEventStream> stream_as(const NatsUser& who,
                                                             const std::string& name) {
  replication::NatsConnectionOptions options;
  options.urls = who.urls;
  options.user = who.user;
  options.password = who.password;
  auto connection = replication::NatsConnection::connect(options);
  if (!connection.is_ok()) throw std::runtime_error(connection.status().to_string());
  replication::JetStreamOptions stream_options;
  stream_options.stream = name;
  return std::make_unique<replication::JetStreamEventStream>(std::move(*connection), stream_options,
                                                             "bench");
}

}  // namespace

std::size_t BenchNats::message_bytes(const std::string& stream, std::uint64_t seq) const {
  auto message = stream_as(follower(), stream)->get(seq);
  if (!message.is_ok()) throw std::runtime_error(message.status().to_string());
  return message->bytes.size();
}

void BenchNats::make_stream(const std::string& name) const {
  auto stream = stream_as(leader(), name);
  if (const Status made = stream->ensure_stream(); !made.is_ok())
    throw std::runtime_error("making stream " + name + ": " + made.to_string());
}

std::vector<std::string> BenchNats::leader_flags(const std::string& stream) const {
  const auto& credentials = cluster_.leader_credentials();
  return {"--nats",      cluster_.urls(),  "--nats-stream",        stream,
          "--nats-user", credentials.user, "--nats-password-file", password_file(credentials)};
}

std::vector<std::string> BenchNats::follower_flags(const std::string& stream,
                                                   const std::filesystem::path& pepper,
                                                   unsigned short leader_http_port) const {
  const auto& credentials = cluster_.follower_credentials();
  return {"--nats",
          cluster_.urls(),
          "--nats-stream",
          stream,
          "--nats-user",
          credentials.user,
          "--nats-password-file",
          password_file(credentials),
          "--follower",
          "--pepper-file",
          pepper.string(),
          "--leader-url",
          "http://127.0.0.1:" + std::to_string(leader_http_port),
          "--max-staleness",
          "10s"};
}

std::vector<std::string> node_flags() {
  return {"--threads",       "1",           "--no-access-log",
          "--verify-listen", "127.0.0.1:0", "--max-failed-verifications",
          "1000000"};
}

std::vector<std::string> joined(std::vector<std::string> first,
                                const std::vector<std::string>& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

namespace {

std::filesystem::path made(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

Trio::Trio(const BenchNats& nats, const std::filesystem::path& where,
           const std::vector<std::string>& follower_extra)
    : dir(made(where)),
      stream(nats.fresh_stream("trio")),
      leader(dir / "leader", joined(node_flags(), nats.leader_flags(stream)), -1),
      follower1(dir / "follower1",
                joined(joined(node_flags(), follower_extra),
                       nats.follower_flags(stream, dir / "leader" / "pepper", leader.http_port())),
                -1),
      follower2(dir / "follower2",
                joined(joined(node_flags(), follower_extra),
                       nats.follower_flags(stream, dir / "leader" / "pepper", leader.http_port())),
                -1) {}

nlohmann::json readiness(unsigned short http_port) {
  const auto answer = testing::HttpClient(http_port).get("/readyz");
  return nlohmann::json::parse(answer.body, nullptr, false);
}

std::uint64_t wait_published(const Keyledgerd& leader, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto ready = readiness(leader.http_port());
    if (ready.contains("replication") && ready["replication"]["unpublished_events"] == 0 &&
        ready["replication"]["published_seq"] == ready["head_seq"])
      return ready["head_seq"].get<std::uint64_t>();
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("the leader did not publish its log in time: " + ready.dump());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void wait_applied(const Keyledgerd& follower, std::uint64_t seq, std::chrono::seconds timeout,
                  std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto ready = readiness(follower.http_port());
    if (ready.contains("applied_seq") && ready["applied_seq"].get<std::uint64_t>() >= seq) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("the follower did not apply seq " + std::to_string(seq) +
                               " in time: " + ready.dump());
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace keyledger::bench
