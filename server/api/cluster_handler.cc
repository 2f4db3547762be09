#include "server/api/cluster_handler.h"

namespace keyledger::server {

void ClusterHandler::cluster(const ExchangePtr& exchange, const Reply& reply) {
  auto caller = auth_.require(*exchange, reply, Privilege::kAdmin);
  if (!caller) return;
  reply(Answer::ok(body_ ? body_() : Json{{"followers", Json::array()}}));
}

}  // namespace keyledger::server
