// The operational pages: GET /healthz, /readyz and /metrics, which the
// daemon registers beside the other parts' routes. They answer with the
// HTTP part's JSON and text responses. (The API description and its
// documentation page are server/web's.)
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "server/http/http_types.h"
#include "server/http/router.h"
#include "server/replication/event_publisher.h"

namespace keyledger::server {

// What /readyz reports of the ledger: on a leader, the writer's
// (leader_parts.h's WriterLedgerHealth).
class LedgerHealth {
 public:
  virtual ~LedgerHealth() = default;
  virtual std::uint64_t head_seq() const = 0;
  // The writer's last commit failed (a full disk): writes are refused.
  virtual bool storage_failing() const = 0;
};

// A leader's publisher figures at the time of the call (issue 20); empty
// where nothing is published (no --nats).
using PublisherStatusSource = std::function<replication::PublisherStatus()>;

// The text of /metrics (Prometheus text exposition format 0.0.4).
class MetricsRenderer {
 public:
  virtual ~MetricsRenderer() = default;
  virtual std::string render() const = 0;
};

// Thread-safe; what it is given outlives it.
class SystemPages {
 public:
  // `ready` is false until start-up has finished and again while shutting
  // down; `ledger` says the head and whether storage refuses writes;
  // `publisher`, when given, the leader's publishing (--nats).
  SystemPages(const std::atomic<bool>& ready, const LedgerHealth& ledger,
              const MetricsRenderer& metrics, PublisherStatusSource publisher = {})
      : ready_(ready), ledger_(ledger), metrics_(metrics), publisher_(std::move(publisher)) {}

  // 200 {"status": "ok"}: the process answers.
  HttpResponse healthz(const Exchange& exchange) const;
  // 503 {"status": "not ready"} until ready; then 200 with the head,
  // whether storage is failing and, with a publisher, its figures under
  // "replication". Still 200 while writes are refused (storage failing,
  // or the stream too far behind): verification goes on from memory.
  HttpResponse readyz(const Exchange& exchange) const;
  // 200, the Prometheus text.
  HttpResponse metrics(const Exchange& exchange) const;

 private:
  const std::atomic<bool>& ready_;
  const LedgerHealth& ledger_;
  const MetricsRenderer& metrics_;
  const PublisherStatusSource publisher_;
};

// Registers GET /healthz, /readyz and /metrics on `router`, answered by
// `pages` (which outlive the router).
void add_system_routes(Router& router, const SystemPages& pages);
// (method, pattern) of the routes add_system_routes() registers, in order.
std::vector<std::pair<std::string, std::string>> system_route_table();

}  // namespace keyledger::server
