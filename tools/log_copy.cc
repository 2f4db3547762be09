#include "tools/log_copy.h"

#include <string>
#include <vector>

#include "core/hash.h"

namespace keyledger::tools {

CopiedPrefix copy_log_prefix(const EventLog& source, const LogHead& until, EventLog& target,
                             std::size_t batch_events) {
  CopiedPrefix copied;
  if (until.seq == 0) return copied;
  std::vector<EncodedEvent> batch;
  LogHead batch_head;
  auto flush = [&] {
    if (!batch.empty()) copied.written = target.append(batch, {}, batch_head);
    if (copied.written.is_ok()) copied.head = batch_head;
    batch.clear();
  };
  FirstDamage damage;
  copied.read =
      EventReader(source, damage).read(1, [&](const Event& event, std::string_view bytes) {
        batch_head = LogHead{event.seq, chain_hash(event.prev_hash, bytes)};
        batch.push_back(EncodedEvent{event.seq, std::string(bytes)});
        if (batch.size() == batch_events) flush();
        // Stops on the last event of the prefix, so nothing after it is read.
        return copied.written.is_ok() && event.seq < until.seq;
      });
  copied.damage = damage.damage();
  if (copied.read.is_ok() && !copied.damage && copied.written.is_ok() && batch_head == until)
    flush();
  return copied;
}

}  // namespace keyledger::tools
