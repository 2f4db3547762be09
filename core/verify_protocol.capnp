# The binary verify protocol: API servers send VerifyRequest messages over
# TCP (keyledgerd --verify-listen) using Cap'n Proto's standard stream
# framing (segment table, then segments) and receive one VerifyResponse per
# request, in order. Requests may be pipelined; `id` echoes back so clients
# can match answers. docs/VERIFY_PROTOCOL.md describes it byte by byte.
#
# Fail closed by construction: a response whose fields were never set (all
# zero bytes) reads as refused, reason invalid; a verified key's privilege
# has no zero value but `none`; and a refusal carries no pointer, so a
# reader that ignores which side of the union it got, and reads `verified`
# from a refusal, finds no user, no key and privilege `none`.
# Evolve by adding fields only (this protocol is not stored anywhere, but
# deployed clients read it).
@0xaa1b7099662e2c77;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("keyledger::wire");

struct VerifyRequest {
  id @0 :UInt64;       # echoed in the response
  token @1 :Text;      # the presented API key
  clientIp @2 :Text;   # the address of the API server's own client (for last use
                       # and the failure limit); honoured only from trusted peers
  minSeq @3 :UInt64;   # 0: none. Else answer only from a ledger applied at least up
                       # to this seq (a write's KeyLedger-Seq): a node behind it
                       # waits for it (bounded), holding back the answers after
                       # this one on the connection, then answers `unavailable`
}

struct VerifyResponse {
  id @0 :UInt64;       # the request's id
  # The two sides share nothing: `refused` lives in the data section and
  # `verified` is the only pointer, so reading the side not sent gives
  # defaults (reason invalid; a null VerifiedKey, privilege none).
  union {
    refused :group {             # discriminant 0: what a zeroed response reads as
      reason @1 :Reason;
      retryAfterSeconds @2 :UInt32;  # with rateLimited: when this client may fail again
    }
    verified @3 :VerifiedKey;    # discriminant 1
  }

  enum Reason {
    invalid @0;       # unknown, deleted, malformed, or the owner is disabled
    rateLimited @1;   # a bad key from a client IP past its failure limit
    badRequest @2;    # the request itself is malformed (e.g. clientIp not an IP)
    unavailable @3;   # this node cannot answer it now (a follower past its
                      # --max-staleness, or minSeq not applied in time): ask
                      # another node. Not a verdict on the key.
  }
}

struct VerifiedKey {
  userId @0 :Text;
  privilege @1 :Privilege;
  keyId @2 :Text;
}

# The privilege a verified key carries, for the wire only (the ledger's own
# enum, in events.capnp, starts with `user`).
enum Privilege {
  none @0;      # never sent: what an unset field reads as
  user @1;
  auditor @2;
  admin @3;
}
