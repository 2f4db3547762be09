// A loopback TCP proxy for partition tests: it listens on 127.0.0.1 (a port
// asked of the kernel) and forwards every connection to 127.0.0.1:`target`,
// until a test pauses it. A client given only the proxy's port (e.g. a
// keyledgerd whose --nats names proxies) is then cut off from the target
// while everything else still reaches it, which stopping the target cannot
// do. One thread forwards every connection (poll); the object owns it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace keyledger::testing {

enum class ProxyPause {
  // Stops forwarding: bytes wait in the kernel's buffers, connections stay
  // open and new ones are accepted but not connected onward, as a network
  // that silently drops packets. Resuming forwards what waited.
  kHold,
  // Resets every connection and, while paused, every new one at once, as
  // a network that refuses: the client learns of the cut at once.
  kDrop,
};

class TcpProxy {
 public:
  // Starts forwarding to 127.0.0.1:`target_port`. Throws std::runtime_error
  // when it cannot listen.
  explicit TcpProxy(unsigned short target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // The port clients connect to.
  unsigned short port() const { return port_; }
  // Cuts every connection as `how` says; returns once the forwarding
  // thread has applied it (no byte is forwarded after the call returns).
  void pause(ProxyPause how);
  // Forwards again: held connections go on, new ones are connected
  // onward. Returns once applied.
  void resume();
  bool paused() const;
  // Connections accepted so far (for tests of the proxy itself).
  int accepted() const { return accepted_.load(); }

 private:
  struct Pair;
  enum class Mode { kForward, kHold, kDrop };
  void set_mode(Mode mode);
  void run();
  void accept_one();
  void connect_onward(Pair& pair);
  void apply_mode();
  bool pump(int from, int to);
  void wake() const;

  unsigned short target_port_;
  unsigned short port_ = 0;
  int listener_ = -1;
  int wake_pipe_[2] = {-1, -1};
  mutable std::mutex mutex_;
  std::condition_variable applied_changed_;
  Mode mode_ = Mode::kForward;     // asked for, under mutex_
  Mode applied_ = Mode::kForward;  // what run() applies, under mutex_
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::vector<std::unique_ptr<Pair>> pairs_;  // run()'s alone
  std::thread thread_;
};

}  // namespace keyledger::testing
