// GET /v1/audit (auditor or admin): who created, renamed or deleted each
// key, changed each user, when and from where, in pages of the log.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "projections/audit.h"
#include "server/api/answer.h"
#include "server/api/authenticator.h"
#include "server/api/bounded_work.h"
#include "server/api/ledger_ports.h"

namespace keyledger::server {

// What the query string of GET /v1/audit asks for.
struct AuditQuery {
  projections::AuditFilter filter;
  std::uint64_t after_seq = 0;
  std::uint64_t limit = 100;  // 1 to 1000 rows
};

// Reads key, user, actor, action, since, until, after_seq, limit and
// include_use; kInvalidArgument (invalid_parameter, or the action parser's
// reason) naming the parameter, for an unknown or bad one.
StatusOr<AuditQuery> parse_audit_query(const std::multimap<std::string, std::string>& query);

// Thread-safe; what it is given outlives it. The caller and the query are
// checked on the calling thread; the log is scanned, and the page built and
// answered, as a job of `scans` (never on an I/O thread: a page may read
// much of the log).
class AuditHandler {
 public:
  AuditHandler(Authenticator& auth, const AuditSource& audit, const KeyDirectory& keys,
               BoundedWork& scans)
      : auth_(auth), audit_(audit), keys_(keys), scans_(scans) {}

  void audit(const ExchangePtr& exchange, const Reply& reply);

 private:
  // The page `query` asks for, or the scan's failure.
  Answer audit_page(const AuditQuery& query) const;

  Authenticator& auth_;
  const AuditSource& audit_;
  const KeyDirectory& keys_;
  BoundedWork& scans_;
};

}  // namespace keyledger::server
