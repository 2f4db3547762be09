#include "core/event_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include <cstring>

#include "core/capnp_decode.h"
#include "core/events.capnp.h"
#include "core/privileges.h"

namespace keyledger {
namespace {

std::string to_std(capnp::Text::Reader text) { return {text.cStr(), text.size()}; }

// Each event type's fields, listed once: the C++ member and the schema
// field that stores it (events.capnp), with the type's union tag. The
// encoder (PayloadWriter) and the decoder (read_payload) are both made from
// this list, so they cannot disagree about a field; a field's value is
// converted by the to_schema() and from_schema() overloads of its type.
// clang-format off
#define KEYLEDGER_EVENT_FIELDS(EVENT, FIELD)                                                   \
  EVENT(UserCreated, USER_CREATED,                                                             \
        FIELD(user_id, UserId) FIELD(privilege, Privilege) FIELD(password_hash, PasswordHash)  \
        FIELD(must_change_password, MustChangePassword))                                       \
  EVENT(UserPrivilegeChanged, USER_PRIVILEGE_CHANGED,                                          \
        FIELD(user_id, UserId) FIELD(privilege, Privilege))                                    \
  EVENT(UserDisabled, USER_DISABLED, FIELD(user_id, UserId))                                   \
  EVENT(UserEnabled, USER_ENABLED, FIELD(user_id, UserId))                                     \
  EVENT(PasswordChanged, PASSWORD_CHANGED,                                                     \
        FIELD(user_id, UserId) FIELD(password_hash, PasswordHash)                              \
        FIELD(must_change_password, MustChangePassword))                                       \
  EVENT(KeyCreated, KEY_CREATED,                                                               \
        FIELD(key_id, KeyId) FIELD(owner, Owner) FIELD(name, Name)                             \
        FIELD(secret_hash, SecretHash))                                                        \
  EVENT(KeyRenamed, KEY_RENAMED, FIELD(key_id, KeyId) FIELD(name, Name))                       \
  EVENT(KeyDeleted, KEY_DELETED, FIELD(key_id, KeyId) FIELD(reason, Reason))                   \
  EVENT(KeyUsed, KEY_USED,                                                                     \
        FIELD(key_id, KeyId) FIELD(client_ip, ClientIp) FIELD(used_at_ns, UsedAtNs))           \
  EVENT(UserLocked, USER_LOCKED,                                                               \
        FIELD(user_id, UserId) FIELD(reason, Reason) FIELD(lockout_ns, LockoutNs))             \
  EVENT(UserUnlocked, USER_UNLOCKED, FIELD(user_id, UserId))
// clang-format on

// A value as its schema field holds it.
kj::StringPtr to_schema(const std::string& text) { return {text.c_str(), text.size()}; }
capnp::Data::Reader to_schema(const Hash256& hash) { return {hash.data(), hash.size()}; }
schema::Privilege to_schema(Privilege privilege) { return privilege_codes(privilege).stored; }
bool to_schema(bool flag) { return flag; }
std::int64_t to_schema(std::int64_t number) { return number; }

struct PayloadWriter {
  schema::Event::Payload::Builder payload;
#define KEYLEDGER_WRITE_FIELD(member, Field) out.set##Field(to_schema(e.member));
#define KEYLEDGER_WRITE_EVENT(Type, tag, fields) \
  void operator()(const Type& e) {               \
    auto out = payload.init##Type();             \
    fields                                       \
  }
  KEYLEDGER_EVENT_FIELDS(KEYLEDGER_WRITE_EVENT, KEYLEDGER_WRITE_FIELD)
#undef KEYLEDGER_WRITE_EVENT
#undef KEYLEDGER_WRITE_FIELD
};

// A schema field's value into `out`; kCorruption for one no event can hold.
Status from_schema(capnp::Text::Reader text, std::string& out) {
  out.assign(text.cStr(), text.size());
  return Status::ok();
}
Status from_schema(capnp::Data::Reader data, Hash256& out) {
  if (data.size() != out.size())
    return corruption(Reason::kUndecodableEvent, "a hash is not 32 bytes");
  std::memcpy(out.data(), data.begin(), out.size());
  return Status::ok();
}
Status from_schema(schema::Privilege stored, Privilege& out) {
  const std::optional<Privilege> privilege = privilege_from_stored(stored);
  if (!privilege) return corruption(Reason::kUndecodableEvent, "unknown privilege value");
  out = *privilege;
  return Status::ok();
}
Status from_schema(bool flag, bool& out) {
  out = flag;
  return Status::ok();
}
Status from_schema(std::int64_t number, std::int64_t& out) {
  out = number;
  return Status::ok();
}

// What a decoded event must meet beyond its fields' types.
template <typename Payload>
Status check_decoded(const Payload&) {
  return Status::ok();
}
Status check_decoded(const UserLocked& locked) {
  if (locked.lockout_ns < 0)
    return corruption(Reason::kUndecodableEvent, "a lock with a negative duration");
  return Status::ok();
}

StatusOr<EventPayload> read_payload(schema::Event::Payload::Reader payload) {
  using P = schema::Event::Payload;
  // clang-format off
#define KEYLEDGER_READ_FIELD(member, Field) \
  KEYLEDGER_RETURN_IF_ERROR(from_schema(in.get##Field(), e.member));
#define KEYLEDGER_READ_EVENT(Type, tag, fields)  \
  case P::tag: {                                 \
    Type e;                                      \
    const auto in = payload.get##Type();         \
    fields                                       \
    KEYLEDGER_RETURN_IF_ERROR(check_decoded(e)); \
    return EventPayload{std::move(e)};           \
  }
  // clang-format on
  switch (payload.which()) { KEYLEDGER_EVENT_FIELDS(KEYLEDGER_READ_EVENT, KEYLEDGER_READ_FIELD) }
#undef KEYLEDGER_READ_EVENT
#undef KEYLEDGER_READ_FIELD
  // A union member added by a newer schema than this binary knows.
  return corruption(Reason::kUndecodableEvent, "unknown event type (written by a newer version?)");
}
#undef KEYLEDGER_EVENT_FIELDS

Status read_event(schema::Event::Reader in, Event& event) {
  event.seq = in.getSeq();
  event.time_ns = in.getTimeNs();
  event.origin.actor = to_std(in.getActor());
  event.origin.actor_ip = to_std(in.getActorIp());
  event.origin.request_id = to_std(in.getRequestId());
  KEYLEDGER_RETURN_IF_ERROR(from_schema(in.getPrevHash(), event.prev_hash));
  auto payload = read_payload(in.getPayload());
  if (!payload.is_ok()) return payload.status();
  event.payload = std::move(payload).value();
  return Status::ok();
}

constexpr DecodeFailure kUndecodableEvent{StatusCode::kCorruption, Reason::kUndecodableEvent,
                                          "event"};
static_assert(kMaxEncodedEventBytes == kCapnpLimits.max_message_bytes,
              "the decode limits are sized for the largest event");

}  // namespace

std::string encode_event(const Event& event) {
  capnp::MallocMessageBuilder message(256);
  auto out = message.initRoot<schema::Event>();
  out.setSeq(event.seq);
  out.setTimeNs(event.time_ns);
  out.setActor(to_schema(event.origin.actor));
  out.setActorIp(to_schema(event.origin.actor_ip));
  out.setRequestId(to_schema(event.origin.request_id));
  out.setPrevHash(to_schema(event.prev_hash));
  std::visit(PayloadWriter{out.getPayload()}, event.payload);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

StatusOr<Event> decode_event(std::string_view bytes) {
  AlignedWords<256> scratch;  // 2 KiB on the stack: most events fit
  Event event;
  Status decoded = decode_capnp<schema::Event>(
      bytes, kUndecodableEvent, scratch,
      [&event](schema::Event::Reader in) { return read_event(in, event); });
  if (!decoded.is_ok()) return decoded;
  return event;
}

}  // namespace keyledger
