#include "tests/support/nats_cluster.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/loopback.h"

namespace keyledger::testing {
namespace {

using Clock = std::chrono::steady_clock;

// How long a cluster may take to form (NATS.md: under 4 s on loopback) or a
// restarted node to rejoin: a bound on a hang, not a timing claim.
constexpr auto kReadyLimit = std::chrono::seconds(60);
// Fresh ports are tried this often when a server loses a bind race.
constexpr int kPortAttempts = 5;

std::string random_password() {
  std::random_device random;
  std::ostringstream text;
  for (int i = 0; i < 4; ++i) text << std::hex << random();
  return text.str();
}

// A port the kernel just handed out on 127.0.0.1, kept bound in `socket_fd`
// so that the next call gets a different one; the caller closes it.
unsigned short bind_free_port(int& socket_fd) {
  socket_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (socket_fd < 0 || ::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("cannot get a free loopback port");
  return ntohs(address.sin_port);
}

// Node i's server_name: "n1" for node 0.
std::string server_name(int i) { return "n" + std::to_string(i + 1); }

// The monitor's JSON at `target` on `port`, or a discarded value when the
// node does not answer (yet).
nlohmann::json monitor_json(unsigned short port, const std::string& target) {
  const auto answer = http_exchange_from("127.0.0.1", port, http_request_text("GET", target),
                                         std::chrono::milliseconds(2000));
  if (!answer.complete || answer.status != 200) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(answer.body, nullptr, false);
}

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// The permissions both users share on stream `s`: reading it through the
// JetStream API (stream info, a message by seq, an ephemeral consumer and
// its next messages) and their own inboxes for the API's answers.
std::string reader_subjects(const std::string& s) {
  return "\"$JS.API.INFO\", \"$JS.API.STREAM.INFO." + s + "\", \"$JS.API.STREAM.MSG.GET." + s +
         "\", \"$JS.API.DIRECT.GET." + s + "\", \"$JS.API.DIRECT.GET." + s + ".>\"" +
         ", \"$JS.API.CONSUMER.CREATE." + s + "\", \"$JS.API.CONSUMER.CREATE." + s + ".>\"" +
         ", \"$JS.API.CONSUMER.MSG.NEXT." + s + ".*\", \"$JS.API.CONSUMER.INFO." + s + ".*\"" +
         ", \"$JS.API.CONSUMER.DELETE." + s + ".*\"";
}

}  // namespace

std::string nats_permissions_config(const std::string& stream, const NatsCredentials& leader,
                                    const NatsCredentials& follower) {
  const std::string events = "keyledger." + stream + ".events";
  const std::string uses = "keyledger." + stream + ".uses";
  std::ostringstream out;
  out << "accounts {\n  KEYLEDGER {\n    jetstream: enabled\n    users: [\n"
      << "      { user: \"" << leader.user << "\", password: \"" << leader.password << "\",\n"
      << "        permissions: {\n"
      << "          publish: { allow: [\"" << events << "\", \"$JS.API.STREAM.CREATE." << stream
      << "\", " << reader_subjects(stream) << "] }\n"
      << "          subscribe: { allow: [\"_INBOX.>\", \"" << uses << "\"] } } }\n"
      << "      { user: \"" << follower.user << "\", password: \"" << follower.password << "\",\n"
      << "        permissions: {\n"
      << "          publish: { allow: [\"" << uses << "\", " << reader_subjects(stream)
      << "], deny: [\"" << events << "\"] }\n"
      << "          subscribe: { allow: [\"_INBOX.>\"] } } }\n"
      << "    ]\n  }\n}\n";
  return out.str();
}

std::optional<std::string> nats_server_path() {
  // KEYLEDGER_NATS_SERVER names the binary to use (a test of the skip path
  // names one that does not exist).
  if (const char* chosen = std::getenv("KEYLEDGER_NATS_SERVER"))
    return executable(chosen) ? std::optional<std::string>(chosen) : std::nullopt;
  // Debian installs it in /usr/sbin, which a user's PATH may not name.
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/local/sbin";
  std::istringstream folders(path);
  for (std::string folder; std::getline(folders, folder, ':');) {
    if (folder.empty()) continue;
    const std::string candidate = folder + "/nats-server";
    if (executable(candidate)) return candidate;
  }
  return std::nullopt;
}

NatsCluster::NatsCluster(int nodes, NatsAuth auth, std::optional<TestCertificates> tls)
    : dir_(std::make_unique<TempDir>()),
      auth_(auth),
      tls_(std::move(tls)),
      nodes_(static_cast<std::size_t>(nodes)) {
  if (nodes != 1 && nodes != 3) throw std::invalid_argument("a NatsCluster has 1 or 3 nodes");
  const auto server = nats_server_path();
  if (!server) throw std::runtime_error("nats-server is not installed");
  server_ = *server;
  if (auth_ == NatsAuth::kAccounts) {
    leader_ = {"leader", random_password()};
    follower_ = {"follower", random_password()};
  }
  try {
    for (int attempt = 1;; ++attempt) {
      pick_ports();
      if (start_all_once()) break;
      kill_all();  // a port was taken between asking and binding: try others
      if (attempt == kPortAttempts)
        throw std::runtime_error("nats-server could not bind its ports:\n" + logs());
    }
    wait_ready();
  } catch (...) {
    kill_all();  // no destructor runs for an object that never finished
    throw;
  }
}

NatsCluster::~NatsCluster() { kill_all(); }

void NatsCluster::pick_ports() {
  std::vector<int> held;
  for (auto& node : nodes_) {
    std::array<unsigned short*, 3> ports = {&node.client_port, &node.monitor_port,
                                            &node.route_port};
    for (auto* port : ports) {
      int fd = -1;
      *port = bind_free_port(fd);
      held.push_back(fd);
    }
  }
  for (int fd : held) ::close(fd);
}

void NatsCluster::write_config(int i) const {
  const auto& node = nodes_.at(static_cast<std::size_t>(i));
  std::ofstream out(dir_->path() / (server_name(i) + ".conf"));
  out << "server_name: " << server_name(i) << "\nhost: 127.0.0.1\nport: " << node.client_port
      << "\nhttp: \"127.0.0.1:" << node.monitor_port << "\"\n"
      << "jetstream { store_dir: \"" << (dir_->path() / server_name(i)).string()
      << "\", max_memory_store: 256MB, max_file_store: 4GB }\n";
  if (size() > 1) {
    out << "cluster { name: keyledger-test, listen: \"127.0.0.1:" << node.route_port
        << "\", routes: [";
    for (const auto& peer : nodes_)
      out << (&peer == &nodes_.front() ? "" : ", ")
          << "\"nats-route://127.0.0.1:" << peer.route_port << "\"";
    // no_advertise: clients know only the URLs they were given, so one
    // that reaches the cluster through proxies (tests/support/tcp_proxy.h)
    // never learns the servers' own ports and bypasses a cut.
    out << "], no_advertise: true }\n";
  }
  if (tls_)
    out << "tls { cert_file: \"" << tls_->cert_file.string() << "\", key_file: \""
        << tls_->key_file.string() << "\", timeout: 2 }\n";
  if (auth_ == NatsAuth::kAccounts) out << nats_permissions_config("*", leader_, follower_);
}

void NatsCluster::start_node(int i) {
  write_config(i);
  const std::string config = (dir_->path() / (server_name(i) + ".conf")).string();
  const std::string log_path = (dir_->path() / (server_name(i) + ".log")).string();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // No server outlives the test process, whatever ends it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(127);
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(server_.c_str(), server_.c_str(), "-c", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  nodes_.at(static_cast<std::size_t>(i)).pid = pid;
}

bool NatsCluster::start_all_once() {
  for (int i = 0; i < size(); ++i) start_node(i);
  // A server that lost a bind race exits at once; one that bound its ports
  // answers on its monitor port.
  const auto deadline = Clock::now() + kReadyLimit;
  for (int i = 0; i < size(); ++i) {
    while (monitor_json(nodes_[static_cast<std::size_t>(i)].monitor_port, "/varz").is_discarded()) {
      int status = 0;
      if (::waitpid(nodes_[static_cast<std::size_t>(i)].pid, &status, WNOHANG) != 0) {
        nodes_[static_cast<std::size_t>(i)].pid = -1;
        if (log(i).find("address already in use") != std::string::npos) return false;
        throw std::runtime_error("nats-server exited at start:\n" + logs());
      }
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return true;
}

bool NatsCluster::ready() const {
  std::string agreed_leader;
  int running_nodes = 0;
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    ++running_nodes;
    const auto jsz = monitor_json(monitor_port(i), "/jsz");
    if (!jsz.is_object() || !jsz.contains("config")) return false;
    if (size() == 1) return true;
    const auto meta = jsz.value("meta_cluster", nlohmann::json::object());
    const std::string leader = meta.value("leader", "");
    if (leader.empty() || (!agreed_leader.empty() && leader != agreed_leader)) return false;
    agreed_leader = leader;
  }
  const int leader = node_named(agreed_leader);
  if (leader < 0 || !running(leader)) return false;
  // The leader lists its peers; every running one must be current.
  const auto meta =
      monitor_json(monitor_port(leader), "/jsz").value("meta_cluster", nlohmann::json::object());
  int current = 0;
  for (const auto& replica : meta.value("replicas", nlohmann::json::array())) {
    const int peer = node_named(replica.value("name", ""));
    if (peer >= 0 && running(peer) && replica.value("current", false)) ++current;
  }
  return current == running_nodes - 1;
}

void NatsCluster::wait_ready() {
  const auto deadline = Clock::now() + kReadyLimit;
  while (!ready()) {
    if (Clock::now() > deadline)
      throw std::runtime_error("the NATS cluster did not become ready:\n" + logs());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string NatsCluster::url(int i) const {
  return (tls_ ? "tls://127.0.0.1:" : "nats://127.0.0.1:") + std::to_string(client_port(i));
}

std::string NatsCluster::urls() const {
  std::string joined;
  for (int i = 0; i < size(); ++i) joined += (i == 0 ? "" : ",") + url(i);
  return joined;
}

void NatsCluster::kill_node(int i) {
  auto& node = nodes_.at(static_cast<std::size_t>(i));
  if (node.pid <= 0) return;
  ::kill(node.pid, SIGKILL);
  int status = 0;
  ::waitpid(node.pid, &status, 0);
  node.pid = -1;
}

void NatsCluster::restart_node(int i) {
  kill_node(i);
  start_node(i);
  wait_ready();
}

void NatsCluster::start_stopped_nodes() {
  for (int i = 0; i < size(); ++i)
    if (!running(i)) start_node(i);
  wait_ready();
}

void NatsCluster::kill_all() {
  for (int i = 0; i < size(); ++i) kill_node(i);
}

int NatsCluster::node_named(const std::string& name) const {
  for (int i = 0; i < size(); ++i)
    if (server_name(i) == name) return i;
  return -1;
}

std::string NatsCluster::stream_leader(const std::string& stream) const {
  for (int i = 0; i < size(); ++i) {
    if (!running(i)) continue;
    const auto jsz = monitor_json(monitor_port(i), "/jsz?accounts=true&streams=true");
    if (!jsz.is_object()) continue;
    for (const auto& account : jsz.value("account_details", nlohmann::json::array()))
      for (const auto& detail : account.value("stream_detail", nlohmann::json::array()))
        if (detail.value("name", "") == stream) {
          const auto cluster = detail.value("cluster", nlohmann::json::object());
          const std::string leader = cluster.value("leader", "");
          if (!leader.empty()) return leader;
          if (size() == 1) return server_name(0);
        }
  }
  return "";
}

std::string NatsCluster::log(int i) const {
  std::ifstream in(dir_->path() / (server_name(i) + ".log"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string NatsCluster::logs() const {
  std::string all;
  for (int i = 0; i < size(); ++i) all += "--- " + server_name(i) + " ---\n" + log(i);
  return all;
}

}  // namespace keyledger::testing
