#include "core/chain_verifier.h"

#include "core/event_codec.h"

namespace keyledger {
namespace {

// Walks the chain one event at a time. A broken link into event n leaves
// the culprit open (n-1 altered, or n's previous hash altered) until the
// next link is checked.
class ChainWalker {
 public:
  ChainWalker(const std::function<void(const Event&)>& on_event,
              const std::function<bool(const Event&)>& stop_before)
      : on_event_(on_event), stop_before_(stop_before) {}

  // Returns false once a problem is settled.
  bool visit(std::uint64_t key_seq, std::string_view bytes) {
    const std::uint64_t expected = report_.events + 1 + (pending_ ? 1 : 0);
    if (key_seq != expected) {
      if (settle_pending(false)) return false;
      return fail(expected, key_seq > expected ? "event is missing (sequence gap)"
                                               : "event is stored out of order");
    }
    auto event = decode_event(bytes);
    if (!event.is_ok()) {
      if (settle_pending(false)) return false;
      return fail(key_seq, event.status().message());
    }
    if (event->seq != key_seq) {
      if (settle_pending(false)) return false;
      return fail(key_seq, "event carries seq " + std::to_string(event->seq) +
                               " but is stored as seq " + std::to_string(key_seq));
    }
    const bool link_ok = event->prev_hash == own_hash_;
    if (pending_) {
      // The link into the pending event was broken; so is this one iff the
      // pending event's own previous-hash field was altered.
      settle_pending(!link_ok);
      return false;
    }
    if (stop_before_ && stop_before_(*event)) {
      if (!link_ok) return fail(key_seq - 1, "event content does not match the hash recorded by the next event");
      stopped_ = true;
      return false;
    }
    own_hash_ = chain_hash(event->prev_hash, bytes);
    if (!link_ok) {
      pending_ = std::move(event).value();
      return true;
    }
    accept(*event);
    return true;
  }

  // Checks the last link, into the stored head.
  ChainReport finish(const LogHead& stored_head) {
    if (report_.problem || stopped_) return report_;
    if (pending_) {
      settle_pending(stored_head.hash != own_hash_);
      return report_;
    }
    if (stored_head.seq > report_.events) {
      fail(report_.events + 1, "event is missing (the head names seq " +
                                   std::to_string(stored_head.seq) + ")");
    } else if (stored_head.seq < report_.events) {
      fail(stored_head.seq + 1, "event is beyond the stored head");
    } else if (stored_head.hash != report_.head.hash) {
      fail(report_.events, "the last event does not match the stored head hash");
    }
    return report_;
  }

 private:
  void accept(const Event& event) {
    ++report_.events;
    report_.head = LogHead{event.seq, own_hash_};
    if (on_event_) on_event_(event);
  }

  bool fail(std::uint64_t seq, std::string description) {
    report_.problem = ChainProblem{seq, std::move(description)};
    return false;
  }

  // Resolves a pending broken link; returns true if there was one.
  bool settle_pending(bool next_link_broken) {
    if (!pending_) return false;
    const std::uint64_t seq = pending_->seq;
    pending_.reset();
    if (next_link_broken) {
      fail(seq, "previous-hash field does not match the chain");
    } else {
      fail(seq - 1, "event content does not match the hash recorded by the next event");
    }
    return true;
  }

  const std::function<void(const Event&)>& on_event_;
  const std::function<bool(const Event&)>& stop_before_;
  bool stopped_ = false;
  ChainReport report_;
  Hash256 own_hash_{};  // chain hash of the last accepted (or pending) event
  std::optional<Event> pending_;
};

}  // namespace

StatusOr<ChainReport> verify_chain(const EventLog& log,
                                   const std::function<void(const Event&)>& on_event) {
  return verify_chain_prefix(log, {}, on_event);
}

StatusOr<ChainReport> verify_chain_prefix(const EventLog& log,
                                          const std::function<bool(const Event&)>& stop_before,
                                          const std::function<void(const Event&)>& on_event) {
  const LogHead stored_head = log.head();
  ChainWalker walker(on_event, stop_before);
  KEYLEDGER_RETURN_IF_ERROR(log.read_events(
      1, [&](std::uint64_t seq, std::string_view bytes) { return walker.visit(seq, bytes); }));
  return walker.finish(stored_head);
}

}  // namespace keyledger
