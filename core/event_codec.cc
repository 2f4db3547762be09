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

StatusOr<Privilege> from_schema(schema::Privilege stored) {
  if (auto privilege = privilege_from_stored(stored)) return *privilege;
  return corruption(Reason::kUndecodableEvent, "unknown privilege value");
}

capnp::Data::Reader as_data(const Hash256& hash) { return {hash.data(), hash.size()}; }

kj::StringPtr as_text(const std::string& text) { return {text.c_str(), text.size()}; }

std::string to_std(capnp::Text::Reader text) { return {text.cStr(), text.size()}; }

struct PayloadWriter {
  schema::Event::Payload::Builder payload;
  void operator()(const UserCreated& e) {
    auto out = payload.initUserCreated();
    out.setUserId(as_text(e.user_id));
    out.setPrivilege(privilege_codes(e.privilege).stored);
    out.setPasswordHash(as_text(e.password_hash));
    out.setMustChangePassword(e.must_change_password);
  }
  void operator()(const UserPrivilegeChanged& e) {
    auto out = payload.initUserPrivilegeChanged();
    out.setUserId(as_text(e.user_id));
    out.setPrivilege(privilege_codes(e.privilege).stored);
  }
  void operator()(const UserDisabled& e) {
    payload.initUserDisabled().setUserId(as_text(e.user_id));
  }
  void operator()(const UserEnabled& e) { payload.initUserEnabled().setUserId(as_text(e.user_id)); }
  void operator()(const PasswordChanged& e) {
    auto out = payload.initPasswordChanged();
    out.setUserId(as_text(e.user_id));
    out.setPasswordHash(as_text(e.password_hash));
    out.setMustChangePassword(e.must_change_password);
  }
  void operator()(const KeyCreated& e) {
    auto out = payload.initKeyCreated();
    out.setKeyId(as_text(e.key_id));
    out.setOwner(as_text(e.owner));
    out.setName(as_text(e.name));
    out.setSecretHash(as_data(e.secret_hash));
  }
  void operator()(const KeyRenamed& e) {
    auto out = payload.initKeyRenamed();
    out.setKeyId(as_text(e.key_id));
    out.setName(as_text(e.name));
  }
  void operator()(const KeyDeleted& e) {
    auto out = payload.initKeyDeleted();
    out.setKeyId(as_text(e.key_id));
    out.setReason(as_text(e.reason));
  }
  void operator()(const KeyUsed& e) {
    auto out = payload.initKeyUsed();
    out.setKeyId(as_text(e.key_id));
    out.setClientIp(as_text(e.client_ip));
    out.setUsedAtNs(e.used_at_ns);
  }
  void operator()(const UserLocked& e) {
    auto out = payload.initUserLocked();
    out.setUserId(as_text(e.user_id));
    out.setReason(as_text(e.reason));
    out.setLockoutNs(e.lockout_ns);
  }
  void operator()(const UserUnlocked& e) {
    payload.initUserUnlocked().setUserId(as_text(e.user_id));
  }
};

StatusOr<Hash256> read_hash(capnp::Data::Reader data) {
  Hash256 out;
  if (data.size() != out.size())
    return corruption(Reason::kUndecodableEvent, "a hash is not 32 bytes");
  std::memcpy(out.data(), data.begin(), out.size());
  return out;
}

StatusOr<EventPayload> read_payload(schema::Event::Payload::Reader payload) {
  using P = schema::Event::Payload;
  switch (payload.which()) {
    case P::USER_CREATED: {
      auto in = payload.getUserCreated();
      auto privilege = from_schema(in.getPrivilege());
      if (!privilege.is_ok()) return privilege.status();
      return EventPayload{UserCreated{to_std(in.getUserId()), *privilege,
                                      to_std(in.getPasswordHash()), in.getMustChangePassword()}};
    }
    case P::USER_PRIVILEGE_CHANGED: {
      auto in = payload.getUserPrivilegeChanged();
      auto privilege = from_schema(in.getPrivilege());
      if (!privilege.is_ok()) return privilege.status();
      return EventPayload{UserPrivilegeChanged{to_std(in.getUserId()), *privilege}};
    }
    case P::USER_DISABLED:
      return EventPayload{UserDisabled{to_std(payload.getUserDisabled().getUserId())}};
    case P::USER_ENABLED:
      return EventPayload{UserEnabled{to_std(payload.getUserEnabled().getUserId())}};
    case P::PASSWORD_CHANGED: {
      auto in = payload.getPasswordChanged();
      return EventPayload{PasswordChanged{to_std(in.getUserId()), to_std(in.getPasswordHash()),
                                          in.getMustChangePassword()}};
    }
    case P::KEY_CREATED: {
      auto in = payload.getKeyCreated();
      auto hash = read_hash(in.getSecretHash());
      if (!hash.is_ok()) return hash.status();
      return EventPayload{
          KeyCreated{to_std(in.getKeyId()), to_std(in.getOwner()), to_std(in.getName()), *hash}};
    }
    case P::KEY_RENAMED: {
      auto in = payload.getKeyRenamed();
      return EventPayload{KeyRenamed{to_std(in.getKeyId()), to_std(in.getName())}};
    }
    case P::KEY_DELETED: {
      auto in = payload.getKeyDeleted();
      return EventPayload{KeyDeleted{to_std(in.getKeyId()), to_std(in.getReason())}};
    }
    case P::KEY_USED: {
      auto in = payload.getKeyUsed();
      return EventPayload{
          KeyUsed{to_std(in.getKeyId()), to_std(in.getClientIp()), in.getUsedAtNs()}};
    }
    case P::USER_LOCKED: {
      auto in = payload.getUserLocked();
      if (in.getLockoutNs() < 0)
        return corruption(Reason::kUndecodableEvent, "a lock with a negative duration");
      return EventPayload{
          UserLocked{to_std(in.getUserId()), to_std(in.getReason()), in.getLockoutNs()}};
    }
    case P::USER_UNLOCKED:
      return EventPayload{UserUnlocked{to_std(payload.getUserUnlocked().getUserId())}};
  }
  // A union member added by a newer schema than this binary knows.
  return corruption(Reason::kUndecodableEvent, "unknown event type (written by a newer version?)");
}

Status read_event(schema::Event::Reader in, Event& event) {
  event.seq = in.getSeq();
  event.time_ns = in.getTimeNs();
  event.origin.actor = to_std(in.getActor());
  event.origin.actor_ip = to_std(in.getActorIp());
  event.origin.request_id = to_std(in.getRequestId());
  auto prev = read_hash(in.getPrevHash());
  if (!prev.is_ok()) return prev.status();
  event.prev_hash = *prev;
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
  out.setActor(as_text(event.origin.actor));
  out.setActorIp(as_text(event.origin.actor_ip));
  out.setRequestId(as_text(event.origin.request_id));
  out.setPrevHash(as_data(event.prev_hash));
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
