# The binary verify protocol: API servers send VerifyRequest messages over
# TCP (keyledgerd --verify-listen) using Cap'n Proto's standard stream
# framing (segment table, then segments) and receive one VerifyResponse per
# request, in order. Requests may be pipelined; `id` echoes back so clients
# can match answers. Evolve by adding fields only.
@0xaa1b7099662e2c77;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("keyledger::wire");

using Events = import "/core/events.capnp";

struct VerifyRequest {
  id @0 :UInt64;
  token @1 :Text;      # the presented API key
  clientIp @2 :Text;   # the address of the API server's own client (for last use)
}

struct VerifyResponse {
  id @0 :UInt64;
  result @1 :Result;
  userId @2 :Text;                # set when ok
  privilege @3 :Events.Privilege; # set when ok
  keyId @4 :Text;                 # set when ok

  enum Result {
    ok @0;
    invalid @1;       # unknown, deleted, malformed, or the owner is disabled
    rateLimited @2;   # too many failures from this client IP; retry later
    badRequest @3;    # the request itself is malformed (e.g. clientIp not an IP)
  }
}
