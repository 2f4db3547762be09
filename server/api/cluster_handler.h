// GET /v1/cluster (admin; issue 20, "The cluster view"): the leader's head
// and published seq, and the followers it heard from lately. The body is
// the daemon's (server/daemon/cluster_view.h, which knows replication);
// this handler only lets admins see it.
#pragma once

#include <functional>

#include "server/api/answer.h"
#include "server/api/authenticator.h"

namespace keyledger::server {

// The body of GET /v1/cluster at the time of the call: a copy of a small
// table under a short lock, quick enough for the calling thread.
using ClusterBodySource = std::function<Json()>;

// Thread-safe; what it is given outlives it.
class ClusterHandler {
 public:
  ClusterHandler(Authenticator& auth, ClusterBodySource body)
      : auth_(auth), body_(std::move(body)) {}

  void cluster(const ExchangePtr& exchange, const Reply& reply);

 private:
  Authenticator& auth_;
  const ClusterBodySource body_;
};

}  // namespace keyledger::server
