# Every event of the keyledger log. This file is the on-disk format: the
# bytes stored in the `events` column family are a single-segment Cap'n Proto
# message (unpacked flat array) of `Event`.
#
# Evolution follows Cap'n Proto's rules: add fields and union members at the
# end with the next ordinal; never renumber, retype or remove. Old logs must
# keep replaying, and the hash chain covers the stored bytes, so an event is
# never re-encoded once written.
@0xcf4c1c58e23a1a6f;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("keyledger::schema");

enum Privilege {
  user @0;
  auditor @1;
  admin @2;
}

struct Event {
  seq @0 :UInt64;         # 1, 2, 3 ... with no gaps
  timeNs @1 :Int64;       # wall-clock time of the commit, UTC nanoseconds
  actor @2 :Text;         # user id who caused it, or "system"
  actorIp @3 :Text;       # IP address of the actor's client; empty for system
  requestId @4 :Text;     # correlates with the access log
  prevHash @5 :Data;      # 32-byte chain hash of event seq-1 (zeros for seq 1)

  payload :union {
    userCreated @6 :UserCreated;
    userPrivilegeChanged @7 :UserPrivilegeChanged;
    userDisabled @8 :UserDisabled;
    userEnabled @9 :UserEnabled;
    passwordChanged @10 :PasswordChanged;
    keyCreated @11 :KeyCreated;
    keyRenamed @12 :KeyRenamed;
    keyDeleted @13 :KeyDeleted;
    keyUsed @14 :KeyUsed;
    userLocked @15 :UserLocked;
    userUnlocked @16 :UserUnlocked;
  }
}

struct UserCreated {
  userId @0 :Text;
  privilege @1 :Privilege;
  passwordHash @2 :Text;  # encoded scrypt hash, never the password
  mustChangePassword @3 :Bool;  # one-time password: the first sign-in must choose another
}

struct UserPrivilegeChanged {
  userId @0 :Text;
  privilege @1 :Privilege;
}

struct UserDisabled {
  userId @0 :Text;
}

struct UserEnabled {
  userId @0 :Text;
}

struct PasswordChanged {
  userId @0 :Text;
  passwordHash @1 :Text;
  mustChangePassword @2 :Bool;  # set by an administrator: one-time, as in UserCreated
}

struct KeyCreated {
  keyId @0 :Text;
  owner @1 :Text;
  name @2 :Text;
  secretHash @3 :Data;    # HMAC-SHA-256(pepper, key id ":" secret)
}

struct KeyRenamed {
  keyId @0 :Text;
  name @1 :Text;
}

struct KeyDeleted {
  keyId @0 :Text;
  reason @1 :Text;
}

struct KeyUsed {
  keyId @0 :Text;
  clientIp @1 :Text;
  usedAtNs @2 :Int64;
}

struct UserLocked {
  userId @0 :Text;
  reason @1 :Text;        # e.g. "too_many_failed_sign_ins"
  lockoutNs @2 :Int64;    # the lock ends this long after the event's time; 0: when an
                          # administrator unlocks (a lock for too_many_failed_sign_ins
                          # written before this field ends 15 minutes after its time)
}

struct UserUnlocked {
  userId @0 :Text;
}
