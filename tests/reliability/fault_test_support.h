// What the storage-fault tests share: creating keys while recording each
// outcome in a LedgerModel, and reconciling the model with a running
// keyledgerd.
#pragma once

#include <string>
#include <vector>

#include "tests/reliability/api_calls.h"
#include "tests/reliability/http_session.h"
#include "tests/reliability/ledger_model.h"

namespace keyledger::reliability {

// What a 503 tells about a change: a full disk refuses before anything is
// written; after a failed write or sync the bytes may have reached the log,
// so the change may turn up after a restart, whole.
enum class On503 { kNothingWritten, kOutcomeUnknown };

struct CreateOutcome {
  unsigned status = 0;  // 0: no reply
  std::string error_code;
  ApiKey key;  // when created
};

// Creates one key named `name` as the driver and records the outcome.
CreateOutcome create_key(HttpSession& session, const std::string& driver_token, LedgerModel& model,
                         const std::string& name, On503 on_503 = On503::kNothingWritten);

// Lists the driver's keys and verifies every token the model knows;
// REQUIREs that the listing answers.
CheckReport check_against_model(LedgerModel& model, unsigned short port,
                                const std::string& driver_token);

// One line per problem, for INFO.
std::string joined(const std::vector<std::string>& lines);

}  // namespace keyledger::reliability
