#include "tools/ledger_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "tools/exit_codes.h"

namespace keyledger::tools {

int report_error(const std::string& what, const Status& status) {
  std::fprintf(stderr, "keyledger: %s: %s\n", what.c_str(), status.message().c_str());
  switch (status.code()) {
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound:
      return status.is(Reason::kNotAKeyledgerDatabase) ? kExitNoLedger : kExitUnreadable;
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    default:
      return kExitUnreadable;
  }
}

OpenedLedger open_ledger_for_reading(const std::string& data_dir, bool check_head) {
  OpenedLedger opened;
  std::error_code error;
  std::filesystem::path path = data_dir;
  const auto status = std::filesystem::status(path, error);
  if (error && error != std::errc::no_such_file_or_directory &&
      error != std::errc::not_a_directory) {
    std::fprintf(stderr, "keyledger: %s: %s\n", data_dir.c_str(), error.message().c_str());
    opened.exit_code = kExitUnreadable;
    return opened;
  }
  if (!std::filesystem::is_directory(status)) {
    std::fprintf(stderr, "keyledger: %s: %s\n", data_dir.c_str(),
                 std::filesystem::exists(status) ? "not a folder" : "no such folder");
    opened.exit_code = kExitNoLedger;
    return opened;
  }
  // keyledgerd keeps the database in DATA/ledger beside its pepper.
  if (std::filesystem::is_directory(path / "ledger", error)) path /= "ledger";
  // Storage would take a folder it may not list for an empty one.
  if (access(path.c_str(), R_OK | X_OK) != 0) {
    std::fprintf(stderr, "keyledger: %s: cannot read: %s\n", path.c_str(), std::strerror(errno));
    opened.exit_code = kExitUnreadable;
    return opened;
  }
  storage::RocksOptions options;
  options.mode = storage::OpenMode::kReadOnly;
  options.skip_head_check = !check_head;
  auto log = storage::RocksEventLog::open(path, options);
  if (!log.is_ok()) {
    opened.exit_code = report_error("opening " + path.string(), log.status());
    return opened;
  }
  opened.log = std::move(log).value();
  return opened;
}

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), enabled_(isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (enabled_ && last_shown_ > 0) std::fprintf(stderr, "\r\033[K");
}

void Progress::tick(std::uint64_t done) {
  if (!enabled_ || done - last_shown_ < 65536) return;
  last_shown_ = done;
  const double percent =
      total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 0;
  std::fprintf(stderr, "\r%s %llu/%llu (%.0f%%)", label_.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
               percent);
  std::fflush(stderr);
}

}  // namespace keyledger::tools
