#include "projections/record_codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>
#include <optional>

#include "core/capnp_decode.h"
#include "core/privileges.h"
#include "projections/records.capnp.h"

namespace keyledger::projections {
namespace {

constexpr DecodeFailure kUndecodableRecord{StatusCode::kCorruption, Reason::kUndecodableRecord,
                                           "stored record"};

kj::StringPtr as_text(const std::string& text) { return {text.c_str(), text.size()}; }
std::string to_std(capnp::Text::Reader text) { return {text.cStr(), text.size()}; }

std::string to_bytes(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// Parses `bytes` as a record of type Root and hands its reader to `read`.
template <typename Root, typename Result, typename Read>
StatusOr<Result> parse(std::string_view bytes, Read read) {
  AlignedWords<64> scratch;  // 512 bytes on the stack: every record so far fits
  std::optional<StatusOr<Result>> result;
  Status decoded =
      decode_capnp<Root>(bytes, kUndecodableRecord, scratch, [&](typename Root::Reader in) {
        result.emplace(read(in));
        return result->status();
      });
  if (!decoded.is_ok()) return decoded;
  return std::move(*result);
}

}  // namespace

std::string encode_user_record(const UserRecord& user) {
  capnp::MallocMessageBuilder message(64);
  auto out = message.initRoot<schema::UserRecord>();
  out.setUserId(as_text(user.user_id));
  out.setPrivilege(privilege_codes(user.privilege).stored);
  out.setDisabled(user.disabled);
  out.setLocked(user.locked);
  out.setPasswordHash(as_text(user.password_hash));
  out.setCreatedAtNs(user.created_at_ns);
  out.setMustChangePassword(user.must_change_password);
  out.setLockedUntilNs(user.locked_until_ns);
  out.setLockoutNs(user.lockout_ns);
  return to_bytes(message);
}

std::string encode_key_record(const KeyRecord& key) {
  capnp::MallocMessageBuilder message(64);
  auto out = message.initRoot<schema::KeyRecord>();
  out.setKeyId(as_text(key.key_id));
  out.setOwner(as_text(key.owner));
  out.setName(as_text(key.name));
  out.setSecretHash(capnp::Data::Reader(key.secret_hash.data(), key.secret_hash.size()));
  out.setCreatedAtNs(key.created_at_ns);
  out.setDeleted(key.deleted);
  out.setDeletedAtNs(key.deleted_at_ns);
  out.setLastUsedIp(as_text(key.last_used_ip));
  out.setLastUsedAtNs(key.last_used_at_ns);
  out.setCreatedSeq(key.created_seq);
  return to_bytes(message);
}

StatusOr<UserRecord> decode_user_record(std::string_view bytes) {
  return parse<schema::UserRecord, UserRecord>(
      bytes, [](schema::UserRecord::Reader in) -> StatusOr<UserRecord> {
        const std::optional<Privilege> privilege = privilege_from_stored(in.getPrivilege());
        if (!privilege)
          return corruption(Reason::kUndecodableRecord, "a stored user has an unknown privilege");
        return UserRecord{to_std(in.getUserId()),
                          *privilege,
                          in.getDisabled(),
                          in.getLocked(),
                          to_std(in.getPasswordHash()),
                          in.getCreatedAtNs(),
                          in.getMustChangePassword(),
                          in.getLockedUntilNs(),
                          in.getLockoutNs()};
      });
}

StatusOr<KeyRecord> decode_key_record(std::string_view bytes) {
  return parse<schema::KeyRecord, KeyRecord>(
      bytes, [](schema::KeyRecord::Reader in) -> StatusOr<KeyRecord> {
        KeyRecord key;
        key.key_id = to_std(in.getKeyId());
        key.owner = to_std(in.getOwner());
        key.name = to_std(in.getName());
        auto hash = in.getSecretHash();
        if (hash.size() != key.secret_hash.size())
          return corruption(Reason::kUndecodableRecord, "a stored key hash is not 32 bytes");
        std::memcpy(key.secret_hash.data(), hash.begin(), hash.size());
        key.created_at_ns = in.getCreatedAtNs();
        key.deleted = in.getDeleted();
        key.deleted_at_ns = in.getDeletedAtNs();
        key.last_used_ip = to_std(in.getLastUsedIp());
        key.last_used_at_ns = in.getLastUsedAtNs();
        key.created_seq = in.getCreatedSeq();
        return key;
      });
}

std::string owner_index_key(std::string_view owner, std::string_view key_id) {
  std::string out(owner);
  out.push_back('\0');
  out.append(key_id);
  return out;
}

}  // namespace keyledger::projections
