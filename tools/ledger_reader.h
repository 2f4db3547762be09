// Opening a ledger for reading from the tools: a RocksDB secondary
// instance, safe while keyledgerd is writing to the same folder. Never
// writes. Errors are printed as one line and mapped to an exit code.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "storage/rocks_event_log.h"

namespace keyledger::tools {

struct OpenedLedger {
  std::unique_ptr<storage::RocksEventLog> log;
  int exit_code = 0;  // non-zero when opening failed (message already printed)
};

// `data_dir` is keyledgerd's --data folder (the database is DATA/ledger) or
// the database folder itself.
OpenedLedger open_ledger_for_reading(const std::string& data_dir, bool check_head = true);

// Prints "keyledger: <what>: <message>" and returns the matching exit code.
int report_error(const std::string& what, const Status& status);

// Progress on standard error, only when it is a terminal: "label N/M".
class Progress {
 public:
  Progress(std::string label, std::uint64_t total);
  ~Progress();
  void tick(std::uint64_t done);

 private:
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  std::uint64_t last_shown_ = 0;
};

}  // namespace keyledger::tools
