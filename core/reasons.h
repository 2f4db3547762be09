// The closed set of reasons a Status gives, and the one table of their
// stable names.
//
// A reason says precisely what went wrong ("name_too_long"), beside the
// StatusCode that says what the caller should do about it. Code branches on
// a reason with Status::is(Reason), never on its name. The name is what
// leaves the process: the API's error codes, the keyledger tool's output,
// log lines and the translated messages are keyed by it, so a name, once
// given, never changes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace keyledger {

// The one table: each reason's enumerator and its stable name. A new
// reason is one line here; the enum and kReasonNames are made from it, so
// they cannot disagree.
#define KEYLEDGER_REASONS(X)                                                                       \
  X(kNone, "") /* the reason of an ok Status */                                                    \
  /* Text, ids, tokens and passwords that core checks */                                           \
  X(kInvalidUtf8, "invalid_utf8")                                                                  \
  X(kControlCharacters, "control_characters")                                                      \
  X(kNameEmpty, "name_empty")                                                                      \
  X(kNameTooLong, "name_too_long")                                                                 \
  X(kNameControlCharacters, "name_control_characters")                                             \
  X(kNameInvisibleCharacters, "name_invisible_characters")                                         \
  X(kInvalidUserId, "invalid_user_id")                                                             \
  X(kReservedUserId, "reserved_user_id")                                                           \
  X(kInvalidKeyId, "invalid_key_id")                                                               \
  X(kInvalidIp, "invalid_ip")                                                                      \
  X(kInvalidReason, "invalid_reason")                                                              \
  X(kInvalidLockout, "invalid_lockout")                                                            \
  X(kInvalidPasswordHash, "invalid_password_hash")                                                 \
  X(kInvalidPrefix, "invalid_prefix")                                                              \
  X(kMalformedToken, "malformed_token")                                                            \
  X(kPasswordTooShort, "password_too_short")                                                       \
  X(kPasswordTooLong, "password_too_long")                                                         \
  X(kPasswordReused, "password_reused")                                                            \
  X(kInvalidScryptCost, "invalid_scrypt_cost")                                                     \
  X(kPepperTooShort, "pepper_too_short")                                                           \
  X(kScryptFailed, "scrypt_failed")                                                                \
  /* Commands that decide() refuses */                                                             \
  X(kKeyExists, "key_exists")                                                                      \
  X(kKeyNotFound, "key_not_found")                                                                 \
  X(kUserExists, "user_exists")                                                                    \
  X(kUserNotFound, "user_not_found")                                                               \
  X(kUserDisabled, "user_disabled")                                                                \
  X(kCannotChangeSelf, "cannot_change_self")                                                       \
  X(kUnchanged, "unchanged")                                                                       \
  /* The stored log and projection (core, storage, projections, the writer) */                     \
  X(kUndecodableEvent, "undecodable_event")                                                        \
  X(kUndecodableRecord, "undecodable_record")                                                      \
  X(kEventMissing, "event_missing")                                                                \
  X(kEventOutOfOrder, "event_out_of_order")                                                        \
  X(kEventSeqMismatch, "event_seq_mismatch")                                                       \
  X(kChainBroken, "chain_broken")                                                                  \
  X(kHeadMismatch, "head_mismatch")                                                                \
  X(kBadHead, "bad_head")                                                                          \
  X(kBadEventKey, "bad_event_key")                                                                 \
  X(kBadProjectionVersion, "bad_projection_version")                                               \
  X(kProjectionCorrupt, "projection_corrupt")                                                      \
  X(kProjectionMismatch, "projection_mismatch")                                                    \
  X(kProjectionTooNew, "projection_too_new")                                                       \
  X(kNotAKeyledgerDatabase, "not_a_keyledger_database")                                            \
  X(kReadOnly, "read_only")                                                                        \
  X(kSeqGap, "seq_gap")                                                                            \
  X(kStorageCorruption, "storage_corruption")                                                      \
  X(kStorageUnavailable, "storage_unavailable")                                                    \
  X(kNoCommands, "no_commands")                                                                    \
  X(kShuttingDown, "shutting_down")                                                                \
  /* Framed messages on the verify port, both ends */                                              \
  X(kFrameTooLarge, "frame_too_large")                                                             \
  X(kTooManySegments, "too_many_segments")                                                         \
  X(kBadFrame, "bad_frame")                                                                        \
  X(kBadAnswer, "bad_answer")                                                                      \
  X(kBadAddress, "bad_address")                                                                    \
  X(kClosed, "closed")                                                                             \
  X(kConnectionLost, "connection_lost")                                                            \
  X(kTimeout, "timeout")                                                                           \
  X(kTooManyPending, "too_many_pending")                                                           \
  X(kUnreachable, "unreachable")                                                                   \
  /* HTTP requests */                                                                              \
  X(kInvalidJson, "invalid_json")                                                                  \
  X(kJsonTooDeep, "json_too_deep")                                                                 \
  X(kNotAnObject, "not_an_object")                                                                 \
  X(kUnknownField, "unknown_field")                                                                \
  X(kMissingField, "missing_field")                                                                \
  X(kInvalidType, "invalid_type")                                                                  \
  X(kInvalidParameter, "invalid_parameter")                                                        \
  X(kAmbiguousCredentials, "ambiguous_credentials")                                                \
  X(kInvalidCredentials, "invalid_credentials")                                                    \
  X(kCsrfTokenInvalid, "csrf_token_invalid")                                                       \
  X(kRateLimited, "rate_limited")                                                                  \
  /* Starting keyledgerd: flags, ports, the data folder, the pepper, the one-time password file */ \
  X(kBadFlag, "bad_flag")                                                                          \
  X(kAddressInUse, "address_in_use")                                                               \
  X(kAddressNotAvailable, "address_not_available")                                                 \
  X(kAddressForbidden, "address_forbidden")                                                        \
  X(kListenFailed, "listen_failed")                                                                \
  X(kDataFolderNotPrivate, "data_folder_not_private")                                              \
  X(kDataFolderNotWritable, "data_folder_not_writable")                                            \
  X(kPepperFolderMissing, "pepper_folder_missing")                                                 \
  X(kPepperMissing, "pepper_missing")                                                              \
  X(kPepperMismatch, "pepper_mismatch")                                                            \
  X(kPepperPermissions, "pepper_permissions")                                                      \
  X(kPepperUnreadable, "pepper_unreadable")                                                        \
  X(kPepperUnwritable, "pepper_unwritable")                                                        \
  X(kPasswordFileUnwritable, "password_file_unwritable")                                           \
  X(kPasswordFileUnremovable, "password_file_unremovable")                                         \
  /* Replication over NATS JetStream (server/replication/event_stream.h) */                        \
  X(kStreamUnavailable, "stream_unavailable")                                                      \
  X(kStreamSeqConflict, "stream_seq_conflict")                                                     \
  X(kStreamMessageMissing, "stream_message_missing")                                               \
  X(kStreamAccessDenied, "stream_access_denied")                                                   \
  X(kStreamConfigIncompatible, "stream_config_incompatible")                                       \
  /* Read-your-writes (issue 20): a request's minimum seq */                                       \
  X(kSeqNotReached, "seq_not_reached")                                                             \
  X(kInvalidMinSeq, "invalid_min_seq")                                                             \
  /* A follower (issue 20): what it refuses to apply, and its answers past --max-staleness */      \
  X(kStreamFork, "stream_fork")                                                                    \
  X(kStaleReplica, "stale_replica")                                                                \
  /* A leader that cannot publish in time refuses writes (--max-unpublished) */                    \
  X(kReplicationUnavailable, "replication_unavailable")

enum class Reason : std::uint16_t {
#define KEYLEDGER_REASON_ENUMERATOR(enumerator, name) enumerator,
  KEYLEDGER_REASONS(KEYLEDGER_REASON_ENUMERATOR)
#undef KEYLEDGER_REASON_ENUMERATOR
};

struct ReasonName {
  Reason reason;
  std::string_view name;
};

// Every reason with its name, in the enum's order, so a name is found by
// indexing.
inline constexpr std::array kReasonNames = {
#define KEYLEDGER_REASON_ENTRY(enumerator, name) ReasonName{Reason::enumerator, name},
    KEYLEDGER_REASONS(KEYLEDGER_REASON_ENTRY)
#undef KEYLEDGER_REASON_ENTRY
};

// The stable name of `reason`; empty for kNone.
constexpr std::string_view reason_name(Reason reason) {
  return kReasonNames[static_cast<std::size_t>(reason)].name;
}

// The reason whose name is `name`, or nullopt (for the empty name too:
// kNone is no error's reason).
constexpr std::optional<Reason> reason_from_name(std::string_view name) {
  if (name.empty()) return std::nullopt;
  for (const ReasonName& entry : kReasonNames)
    if (entry.name == name) return entry.reason;
  return std::nullopt;
}

// reason_name() as a std::string that lasts as long as the program, for
// Status::reason(), which hands out a reference.
const std::string& reason_string(Reason reason);

}  // namespace keyledger
