// How nats.c's errors become keyledger Statuses (event_stream.h's contract),
// for the .cc files of this folder only: it includes nats.h.
#pragma once

#include <nats/nats.h>

#include <string>

#include "core/status.h"

namespace keyledger::replication {

// What failed when `what` ("publishing event 7") returned `status`, with
// JetStream's error code `code` (0 when none). `denied`: the servers
// reported a permission violation meanwhile (NatsConnection), so a timeout
// was a refusal. Timeouts, no responders and a lost connection are
// kUnavailable; JetStream's "wrong last sequence" (10071) is
// kFailedPrecondition; a missing message (10037) is kNotFound.
Status nats_failure(natsStatus status, jsErrCode code, const std::string& what, bool denied);

}  // namespace keyledger::replication
