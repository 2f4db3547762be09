#include "tests/support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/binaries.h"

namespace keyledger::testing {

ListeningPorts listening_ports(const std::string& output) {
  ListeningPorts ports;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    // The last line may still be being written: only whole JSON objects.
    const auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object() || !parsed.contains("port")) continue;
    const auto port = parsed["port"].get<unsigned short>();
    if (parsed.value("msg", "") == "verify port listening") ports.verify = port;
    if (parsed.value("msg", "") == "listening") ports.http = port;
  }
  return ports;
}

ServerProcess::ServerProcess(std::vector<std::string> extra_args)
    : owned_dir_(std::make_unique<TempDir>()),
      data_dir_(owned_dir_->path() / "data"),
      extra_args_(std::move(extra_args)) {
  start();
}

ServerProcess::ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {
  start();
}

ServerProcess::ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args,
                             std::map<std::string, std::string> extra_env)
    : data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      extra_env_(std::move(extra_env)) {
  start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill_hard();
}

void ServerProcess::start() {
  output_path_ = data_dir_.parent_path() / ("server-" + std::to_string(restarts_++) + ".log");
  std::vector<std::string> args = {
      keyledgerd_path(), "--data", data_dir_.string(), "--listen", "127.0.0.1:0",
      "--scrypt-cost",   "10",     "--no-sync"};
  // Durability tests ask for sync explicitly by passing "--sync".
  for (const auto& arg : extra_args_) {
    if (arg == "--sync") {
      args.erase(std::find(args.begin(), args.end(), "--no-sync"));
      continue;
    }
    args.push_back(arg);
  }
  // Emptied before the child starts: another ServerProcess on the same
  // data folder wrote a log of this name, whose "listening on" line would
  // otherwise be read as this start's.
  std::ofstream(output_path_, std::ios::trunc).close();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(output_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    setenv("KEYLEDGER_ADMIN_PASSWORD", kAdminPassword, 1);
    for (const auto& [name, value] : extra_env_) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = output();
    if (const auto ports = listening_ports(text); ports.http != 0) {
      port_ = ports.http;
      verify_port_ = ports.verify;
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("keyledgerd exited at start:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("keyledgerd did not start listening:\n" + output());
}

std::string ServerProcess::output() const {
  std::ifstream in(output_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int ServerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::restart() {
  if (pid_ > 0) stop();
  start();
}

}  // namespace keyledger::testing
