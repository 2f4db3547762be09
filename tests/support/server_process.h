// A real keyledgerd, started as a child process on a free loopback port
// with its own temporary data folder, for integration tests. The binary's
// path comes from the KEYLEDGERD environment variable or the build tree.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace keyledger::testing {

inline constexpr const char* kAdminPassword = "admin-password-for-tests";

// The ports a keyledgerd's output says it listens on, from its JSON lines
// {"msg":"listening","port":N,…} and {"msg":"verify port listening",…};
// 0 for one not (yet) there.
struct ListeningPorts {
  unsigned short http = 0;
  unsigned short verify = 0;
};
ListeningPorts listening_ports(const std::string& output);

class ServerProcess {
 public:
  // Starts keyledgerd with `extra_args` and waits until it listens.
  explicit ServerProcess(std::vector<std::string> extra_args = {});
  // Starts on an existing data folder (for restart tests).
  ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args);
  // The same, with `extra_env` added to the server's environment (kept
  // across restarts), e.g. LD_PRELOAD for fault injection.
  ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args,
                std::map<std::string, std::string> extra_env);
  ~ServerProcess();

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Sends SIGTERM and waits; returns the exit status (0 for a clean stop).
  int stop();
  // SIGKILL, no clean-up at all.
  void kill_hard();
  // Starts again on the same data folder (after stop or kill_hard).
  void restart();

  unsigned short port() const { return port_; }
  // The running server's process id, or -1 when it is not running.
  pid_t pid() const { return pid_; }
  // The binary verify port, when started with --verify-listen; else 0.
  unsigned short verify_port() const { return verify_port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  // Everything the server wrote to stdout and stderr so far.
  std::string output() const;

 private:
  void start();

  std::unique_ptr<TempDir> owned_dir_;
  std::filesystem::path data_dir_;
  std::vector<std::string> extra_args_;
  std::map<std::string, std::string> extra_env_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  unsigned short verify_port_ = 0;
  std::filesystem::path output_path_;
  int restarts_ = 0;
};

}  // namespace keyledger::testing
