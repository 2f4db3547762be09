#include "core/event_reader.h"

#include <string>

#include "core/event_codec.h"

namespace keyledger {

Status EventDamage::named() const {
  const std::string event = "event " + std::to_string(seq);
  if (kind == DamageKind::kUndecodable)
    return corruption(Reason::kUndecodableEvent, event + " does not decode");
  return corruption(reason, event + ": " + message);
}

Status EventDamage::why() const { return corruption(reason, message); }

std::optional<EventDamage> check_stored_event(std::uint64_t expected_seq, std::uint64_t key_seq,
                                              const StatusOr<Event>& decoded) {
  const bool decodes = decoded.is_ok();  // looked at whichever damage is found first
  if (key_seq > expected_seq)
    return EventDamage{DamageKind::kMissing, expected_seq, Reason::kEventMissing,
                       "event is missing (sequence gap)"};
  if (key_seq < expected_seq)
    return EventDamage{DamageKind::kOutOfOrder, expected_seq, Reason::kEventOutOfOrder,
                       "event is stored out of order"};
  if (!decodes)
    return EventDamage{DamageKind::kUndecodable, key_seq, decoded.status().reason_id(),
                       decoded.status().message()};
  if (decoded->seq != key_seq)
    return EventDamage{DamageKind::kSeqMismatch, key_seq, Reason::kEventSeqMismatch,
                       "event carries seq " + std::to_string(decoded->seq) +
                           " but is stored as seq " + std::to_string(key_seq)};
  return std::nullopt;
}

OnDamage FirstDamage::report(const EventDamage& damage) {
  if (!damage_) damage_ = damage;
  return OnDamage::kStop;
}

Status FirstDamage::status() const { return damage_ ? damage_->named() : Status::ok(); }

Status EventReader::read(std::uint64_t from_seq, const Visitor& visit) const {
  std::uint64_t expected = from_seq == 0 ? 1 : from_seq;
  return log_.read_events(expected, [&](std::uint64_t key_seq, std::string_view bytes) {
    return take(expected, key_seq, bytes, visit);
  });
}

bool EventReader::take(std::uint64_t& expected, std::uint64_t key_seq, std::string_view bytes,
                       const Visitor& visit) const {
  const StatusOr<Event> event = decode_event(bytes);
  std::optional<EventDamage> damage = check_stored_event(expected, key_seq, event);
  if (damage && damage->kind == DamageKind::kMissing) {
    if (reporter_.report(*damage) == OnDamage::kStop) return false;
    expected = key_seq;  // the gap is reported; the event after it is checked on its own
    damage = check_stored_event(expected, key_seq, event);
  }
  if (damage) {
    if (reporter_.report(*damage) == OnDamage::kStop) return false;
    if (damage->kind != DamageKind::kOutOfOrder) expected = key_seq + 1;
    return true;
  }
  expected = key_seq + 1;
  return visit(*event, bytes);
}

}  // namespace keyledger
