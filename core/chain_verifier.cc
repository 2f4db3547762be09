#include "core/chain_verifier.h"

#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/batch_channel.h"
#include "core/event_codec.h"
#include "core/event_reader.h"

namespace keyledger {
namespace {

// Walks the chain one event at a time. An event counts as good only once
// the link out of it is checked too (into the next event, or into the
// stored head), because a changed byte inside event k shows only as a
// broken link from k to k+1. So the walker holds one checked-in but not yet
// checked-out event (`candidate_`) and hands it on one step late.
//
// A broken link into event n leaves the culprit open until the link out of
// n is checked: if that is broken too, n's own previous-hash field was
// altered (culprit n, and n-1 was good); otherwise n-1's content was
// altered (culprit n-1).
class ChainWalker {
 public:
  ChainWalker(const std::function<void(const Event&)>& on_event,
              const std::function<bool(const Event&)>& stop_before)
      : on_event_(on_event), stop_before_(stop_before) {}

  // Takes the event stored under `key_seq`, already decoded, and its chain
  // hash (the hash of its previous-hash field and stored bytes), both
  // computed on the decoding thread; the hash is unset when the event does
  // not decode. Returns false once the walk is over (a problem, or the stop
  // point).
  bool visit(std::uint64_t key_seq, const Hash256& chain_hash, StatusOr<Event> event) {
    // The event reader's checks (a gap, undecodable bytes, a seq that is
    // not the key's), in its words; a damaged event also settles a broken
    // link into the one before it.
    if (auto damage = check_stored_event(next_seq(), key_seq, event)) {
      if (settle_broken_link(false)) return false;
      return fail(damage->seq, damage->message);
    }
    const bool link_ok = event->prev_hash == own_hash_;
    if (settle_broken_link(!link_ok)) return false;
    if (!link_ok) {
      previous_hash_before_break_ = own_hash_;
      broken_ = std::move(candidate_);
      candidate_ = std::move(event).value();
      broken_into_ = true;
      own_hash_ = chain_hash;
      return true;
    }
    if (stop_before_ && stop_before_(*event)) {
      deliver_candidate();
      stopped_ = true;
      return false;
    }
    deliver_candidate();
    own_hash_ = chain_hash;
    candidate_ = std::move(event).value();
    return true;
  }

  // Checks the last link, into the stored head.
  ChainReport finish(const LogHead& stored_head) {
    if (report_.problem || stopped_) return report_;
    const std::uint64_t last = next_seq() - 1;
    const bool head_link_ok = stored_head.seq == last && stored_head.hash == own_hash_;
    if (settle_broken_link(!head_link_ok)) return report_;
    if (stored_head.seq > last) {
      deliver_candidate();
      fail(last + 1,
           "event is missing (the head names seq " + std::to_string(stored_head.seq) + ")");
    } else if (stored_head.seq < last) {
      fail(stored_head.seq + 1, "event is beyond the stored head");
    } else if (!head_link_ok) {
      fail(last, "the last event does not match the stored head hash");
    } else {
      deliver_candidate();
    }
    return report_;
  }

 private:
  std::uint64_t next_seq() const {
    return report_.events + (broken_ ? 1 : 0) + (candidate_ ? 1 : 0) + 1;
  }

  // Hands the checked-out candidate on as good; it is the last event seen,
  // so its chain hash is own_hash_.
  void deliver_candidate() { deliver(candidate_, own_hash_); }

  // Counts `event` (whose chain hash is `hash`) as good and passes it on.
  void deliver(std::optional<Event>& event, const Hash256& hash) {
    if (!event) return;
    ++report_.events;
    report_.head = LogHead{event->seq, hash};
    if (on_event_) on_event_(*event);
    event.reset();
  }

  bool fail(std::uint64_t seq, std::string description) {
    report_.problem = ChainProblem{seq, std::move(description)};
    return false;
  }

  // Resolves a broken link into the candidate; returns true if there was
  // one (the walk is then over).
  bool settle_broken_link(bool next_link_broken) {
    if (!broken_into_) return false;
    const std::uint64_t seq = candidate_->seq;
    if (next_link_broken) {
      // The candidate's own previous-hash field was altered; the event
      // before it was good.
      deliver(broken_, previous_hash_before_break_);
      fail(seq, "previous-hash field does not match the chain");
    } else {
      fail(seq > 1 ? seq - 1 : seq,
           "event content does not match the hash recorded by the next event");
    }
    return true;
  }

  const std::function<void(const Event&)>& on_event_;
  const std::function<bool(const Event&)>& stop_before_;
  bool stopped_ = false;
  ChainReport report_;
  Hash256 own_hash_{};                    // chain hash of the last event seen
  Hash256 previous_hash_before_break_{};  // chain hash of `broken_`
  std::optional<Event> candidate_;        // link in checked, link out not yet
  std::optional<Event> broken_;           // the event before a broken link
  bool broken_into_ = false;              // the link into candidate_ is broken
};

// Stored events handed from the reading thread to the decoding one, their
// bytes back to back in one buffer, a few hundred at a time so the
// hand-over costs nothing per event.
struct StoredBatch {
  std::vector<std::uint64_t> seqs;
  std::vector<std::size_t> ends;  // event i is bytes[ends[i-1], ends[i])
  std::string bytes;
  std::size_t size() const { return seqs.size(); }
  std::string_view event(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
};

// Events handed from the decoding thread to the walking one. Each comes
// with its chain hash, so the walker neither hashes nor needs the bytes.
struct DecodedBatch {
  std::vector<std::uint64_t> seqs;
  std::vector<Hash256> chain_hashes;  // zeros for an event that does not decode
  std::vector<StatusOr<Event>> events;
  std::size_t size() const { return seqs.size(); }
};

constexpr std::size_t kBatchEvents = 512;

StoredBatch empty_stored_batch() {
  StoredBatch batch;
  batch.seqs.reserve(kBatchEvents);
  batch.ends.reserve(kBatchEvents);
  batch.bytes.reserve(kBatchEvents * 256);
  return batch;
}

DecodedBatch decode_batch(StoredBatch stored) {
  DecodedBatch batch;
  batch.seqs = std::move(stored.seqs);
  batch.chain_hashes.reserve(batch.seqs.size());
  batch.events.reserve(batch.seqs.size());
  for (std::size_t i = 0; i < batch.seqs.size(); ++i) {
    const std::string_view bytes = stored.event(i);
    batch.events.push_back(decode_event(bytes));
    const StatusOr<Event>& event = batch.events.back();
    batch.chain_hashes.push_back(event.is_ok() ? chain_hash(event->prev_hash, bytes) : Hash256{});
  }
  return batch;
}

}  // namespace

StatusOr<ChainReport> verify_chain(const EventLog& log,
                                   const std::function<void(const Event&)>& on_event) {
  return verify_chain_prefix(log, {}, on_event);
}

// Three stages: a reader thread iterates the log; a decoding thread decodes
// and hashes each event; the calling thread checks the links and folds
// (on_event keeps running on the caller's thread, in order). With two
// stages the reader (iterating, decoding and hashing) was the slower one
// and the fold waited for it; three threads share two cores more evenly.
StatusOr<ChainReport> verify_chain_prefix(const EventLog& log,
                                          const std::function<bool(const Event&)>& stop_before,
                                          const std::function<void(const Event&)>& on_event) {
  const LogHead stored_head = log.head();
  BatchChannel<StoredBatch> stored;
  BatchChannel<DecodedBatch> decoded;
  Status read_status;
  // Stops both threads and waits for them however this function is left,
  // an exception from on_event included: cancelled channels make every
  // blocked push return false, and the reader always closes `stored`.
  struct Threads {
    BatchChannel<StoredBatch>& stored;
    BatchChannel<DecodedBatch>& decoded;
    std::thread reader;
    std::thread decoder;
    void stop() {
      decoded.cancel();
      stored.cancel();
      if (decoder.joinable()) decoder.join();
      if (reader.joinable()) reader.join();
    }
    ~Threads() { stop(); }
  } threads{stored, decoded, {}, {}};
  threads.reader = std::thread([&] {
    StoredBatch batch = empty_stored_batch();
    read_status = log.read_events(1, [&](std::uint64_t seq, std::string_view bytes) {
      batch.seqs.push_back(seq);
      batch.bytes.append(bytes);
      batch.ends.push_back(batch.bytes.size());
      if (batch.size() < kBatchEvents) return true;
      return stored.push(std::exchange(batch, empty_stored_batch()));
    });
    if (batch.size() > 0) stored.push(std::move(batch));
    stored.close();
  });
  threads.decoder = std::thread([&] {
    while (auto batch = stored.pop()) {
      if (!decoded.push(decode_batch(std::move(*batch)))) break;
    }
    // Either the walker stopped listening or the reader is done: in both
    // cases the reader need not (or cannot) push more.
    stored.cancel();
    decoded.close();
  });

  ChainWalker walker(on_event, stop_before);
  bool walking = true;
  while (walking) {
    auto batch = decoded.pop();
    if (!batch) break;
    for (std::size_t i = 0; i < batch->size() && walking; ++i)
      walking = walker.visit(batch->seqs[i], batch->chain_hashes[i], std::move(batch->events[i]));
  }
  threads.stop();
  KEYLEDGER_RETURN_IF_ERROR(read_status);
  return walker.finish(stored_head);
}

}  // namespace keyledger
