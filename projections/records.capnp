# The persisted projection: the current state of each user and key, stored
# beside the log (columns `users` and `keys`) so a restart need not replay
# everything. It is derived data: `keyledger verify` proves it equals a
# fresh fold of the log. Evolve like events.capnp (add fields only).
@0x84eddfc86c5888c5;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("keyledger::schema");

using Events = import "/core/events.capnp";

struct UserRecord {
  userId @0 :Text;
  privilege @1 :Events.Privilege;
  disabled @2 :Bool;
  locked @3 :Bool;
  passwordHash @4 :Text;
  createdAtNs @5 :Int64;
  mustChangePassword @6 :Bool;
  lockedUntilNs @7 :Int64;  # 0 while locked: until an administrator unlocks
  lockoutNs @8 :Int64;      # length of the last lock that ends by itself
}

struct KeyRecord {
  keyId @0 :Text;
  owner @1 :Text;
  name @2 :Text;
  secretHash @3 :Data;
  createdAtNs @4 :Int64;
  deleted @5 :Bool;
  deletedAtNs @6 :Int64;
  lastUsedIp @7 :Text;
  lastUsedAtNs @8 :Int64;
  createdSeq @9 :UInt64;
}
