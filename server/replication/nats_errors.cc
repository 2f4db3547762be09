#include "server/replication/nats_errors.h"

namespace keyledger::replication {
namespace {

std::string describe(natsStatus status, jsErrCode code, const std::string& what) {
  std::string text = what + ": " + natsStatus_GetText(status);
  if (code != 0) text += " (JetStream error " + std::to_string(static_cast<int>(code)) + ")";
  // nats.c keeps the server's own words for the last error of this thread.
  natsStatus last = NATS_OK;
  if (const char* detail = nats_GetLastError(&last); detail != nullptr && *detail != '\0')
    text += ": " + std::string(detail);
  return text;
}

}  // namespace

Status nats_failure(natsStatus status, jsErrCode code, const std::string& what, bool denied) {
  const std::string message = describe(status, code, what);
  if (denied || status == NATS_NOT_PERMITTED || status == NATS_CONNECTION_AUTH_FAILED)
    return Status(StatusCode::kPermissionDenied, Reason::kStreamAccessDenied, message);
  if (code == JSStreamWrongLastSequenceErr)
    return failed_precondition(Reason::kStreamSeqConflict, message);
  if (code == JSNoMessageFoundErr) return not_found(Reason::kStreamMessageMissing, message);
  return unavailable(Reason::kStreamUnavailable, message);
}

}  // namespace keyledger::replication
