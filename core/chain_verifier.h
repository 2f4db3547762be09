// Re-reads a whole log and proves it intact: sequence numbers 1..n with no
// gaps, every event decodes and carries its own seq, every event's previous
// hash equals the recomputed hash of the event before it, and the stored
// head is the hash of the last event. Each event is checked as the event
// reader checks it (core/event_reader.h check_stored_event), and damage is
// described in the reader's words; the verifier keeps its own loop, which
// reads, decodes and walks the chain on three threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/event.h"
#include "core/event_log.h"
#include "core/status.h"

namespace keyledger {

struct ChainProblem {
  std::uint64_t seq = 0;  // the first event found bad (or missing)
  std::string description;
};

struct ChainReport {
  LogHead head;               // recomputed from the events read
  std::uint64_t events = 0;   // events read and found good
  std::optional<ChainProblem> problem;
  bool ok() const { return !problem.has_value(); }
};

// Reads every event of `log` in order. `on_event` (optional) sees each good
// event, in order, before the next is read: replay and verification fold
// state with it while reading once. A tampered byte inside event k breaks
// the link from k to k+1 only, while a tampered previous hash in event k
// breaks the links into and out of k; the report names k in both cases.
// A Status error means the log could not be read at all.
StatusOr<ChainReport> verify_chain(const EventLog& log,
                                   const std::function<void(const Event&)>& on_event = {});

// Like verify_chain, but reads only the prefix of the log before the first
// event for which `stop_before` is true (replay "as of" a seq or a time).
// The stored head is not checked when the read stops early; the report's
// head is that of the prefix.
StatusOr<ChainReport> verify_chain_prefix(const EventLog& log,
                                          const std::function<bool(const Event&)>& stop_before,
                                          const std::function<void(const Event&)>& on_event = {});

}  // namespace keyledger
