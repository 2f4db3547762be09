// The operational endpoints: GET /healthz, /readyz and /metrics. (The API
// description and its documentation page are server/web's.)
#pragma once

#include <atomic>

#include "server/api/answer.h"
#include "server/api/ledger_ports.h"
#include "server/api/observers.h"

namespace keyledger::server {

// Thread-safe; what it is given outlives it.
class SystemHandlers {
 public:
  // `ready` is false until start-up has finished and again while shutting down.
  SystemHandlers(const std::atomic<bool>& ready, const LedgerHealth& ledger,
                 const MetricsRenderer& metrics)
      : ready_(ready), ledger_(ledger), metrics_(metrics) {}

  void healthz(const ExchangePtr& exchange, const Reply& reply);
  void readyz(const ExchangePtr& exchange, const Reply& reply);
  void metrics(const ExchangePtr& exchange, const Reply& reply);

 private:
  const std::atomic<bool>& ready_;
  const LedgerHealth& ledger_;
  const MetricsRenderer& metrics_;
};

}  // namespace keyledger::server
