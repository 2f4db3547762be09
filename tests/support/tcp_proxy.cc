#include "tests/support/tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace keyledger::testing {

struct TcpProxy::Pair {
  int client = -1;
  int upstream = -1;  // -1 until connected onward (held while paused)
};

namespace {

sockaddr_in loopback(unsigned short port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Closes `fd` with a reset (SO_LINGER 0), as a refusing network would.
void reset(int fd) {
  if (fd < 0) return;
  linger hard{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(fd);
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::send(fd, data, size, MSG_NOSIGNAL);
    if (written <= 0) return false;
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(unsigned short target_port) : target_port_(target_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in address = loopback(0);
  if (listener_ < 0 ||
      ::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 128) != 0 || ::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    if (listener_ >= 0) ::close(listener_);
    throw std::runtime_error("the TCP proxy cannot listen on 127.0.0.1");
  }
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = ntohs(bound.sin_port);
  thread_ = std::thread([this] { run(); });
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  wake();
  thread_.join();
  for (auto& pair : pairs_) {
    reset(pair->client);
    reset(pair->upstream);
  }
  ::close(listener_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void TcpProxy::pause(ProxyPause how) {
  set_mode(how == ProxyPause::kHold ? Mode::kHold : Mode::kDrop);
}

void TcpProxy::resume() { set_mode(Mode::kForward); }

bool TcpProxy::paused() const {
  std::lock_guard lock(mutex_);
  return mode_ != Mode::kForward;
}

void TcpProxy::set_mode(Mode mode) {
  std::unique_lock lock(mutex_);
  mode_ = mode;
  wake();
  applied_changed_.wait(lock, [&] { return applied_ == mode; });
}

void TcpProxy::wake() const {
  const char byte = 1;
  [[maybe_unused]] const ssize_t ignored = ::write(wake_pipe_[1], &byte, 1);
}

void TcpProxy::run() {
  while (!stopping_) {
    apply_mode();
    std::vector<pollfd> fds = {{wake_pipe_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
    Mode mode;
    {
      std::lock_guard lock(mutex_);
      mode = applied_;
    }
    if (mode == Mode::kForward) {
      for (const auto& pair : pairs_) {
        fds.push_back({pair->client, POLLIN, 0});
        fds.push_back({pair->upstream, POLLIN, 0});
      }
    }
    if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
    if (fds[0].revents != 0) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    if (fds[1].revents != 0) accept_one();
    // Pairs accepted just now have no entry in fds: only the first ones do.
    const std::size_t polled = (fds.size() - 2) / 2;
    std::vector<std::unique_ptr<Pair>> kept;
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      bool open = true;
      if (i < polled) {
        const short client = fds[2 + 2 * i].revents, upstream = fds[3 + 2 * i].revents;
        if (client != 0) open = pump(pairs_[i]->client, pairs_[i]->upstream);
        if (open && upstream != 0) open = pump(pairs_[i]->upstream, pairs_[i]->client);
      }
      if (open) {
        kept.push_back(std::move(pairs_[i]));
      } else {
        reset(pairs_[i]->client);
        reset(pairs_[i]->upstream);
      }
    }
    pairs_ = std::move(kept);
  }
}

// Applies a mode change asked for by pause()/resume() and tells the caller.
void TcpProxy::apply_mode() {
  std::lock_guard lock(mutex_);
  if (mode_ == applied_) return;
  if (mode_ == Mode::kDrop) {
    for (auto& pair : pairs_) {
      reset(pair->client);
      reset(pair->upstream);
    }
    pairs_.clear();
  }
  if (mode_ == Mode::kForward) {
    std::vector<std::unique_ptr<Pair>> connected;
    for (auto& pair : pairs_) {
      if (pair->upstream < 0) connect_onward(*pair);
      if (pair->client >= 0) connected.push_back(std::move(pair));
    }
    pairs_ = std::move(connected);
  }
  applied_ = mode_;
  applied_changed_.notify_all();
}

void TcpProxy::accept_one() {
  const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
  if (client < 0) return;
  ++accepted_;
  Mode mode;
  {
    std::lock_guard lock(mutex_);
    mode = applied_;
  }
  if (mode == Mode::kDrop) {
    reset(client);
    return;
  }
  auto pair = std::make_unique<Pair>();
  pair->client = client;
  if (mode == Mode::kForward) connect_onward(*pair);
  if (pair->client >= 0) pairs_.push_back(std::move(pair));
}

// Connects `pair` to the target; a refused connect resets the client side,
// as a client connecting to the target itself would be refused.
void TcpProxy::connect_onward(Pair& pair) {
  const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in target = loopback(target_port_);
  if (upstream < 0 ||
      ::connect(upstream, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
    if (upstream >= 0) ::close(upstream);
    reset(pair.client);
    pair.client = -1;
    return;
  }
  pair.upstream = upstream;
}

// Forwards what `from` has to `to`; false when either side is done.
bool TcpProxy::pump(int from, int to) {
  char buffer[64 * 1024];
  const ssize_t read = ::recv(from, buffer, sizeof buffer, 0);
  if (read <= 0) return false;
  return write_all(to, buffer, static_cast<std::size_t>(read));
}

}  // namespace keyledger::testing
