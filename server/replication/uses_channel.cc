#include "server/replication/uses_channel.h"

#include <nats/nats.h>

#include "server/replication/nats_errors.h"

namespace keyledger::replication {

Status UsesPublisher::publish(const std::string& message) {
  if (!connection_) {
    auto connected = NatsConnection::connect(options_);
    if (!connected.is_ok()) return connected.status();
    connection_ = std::move(connected).value();
  }
  const std::uint64_t violations = connection_->permission_violations();
  natsStatus s = natsConnection_Publish(connection_->connection(), subject_.c_str(), message.data(),
                                        static_cast<int>(message.size()));
  if (s == NATS_OK)
    s = natsConnection_FlushTimeout(connection_->connection(),
                                    static_cast<int64_t>(connection_->request_timeout().count()));
  const bool denied = connection_->permission_violations() != violations;
  if (s == NATS_OK && !denied) return Status::ok();
  Status failed = nats_failure(s == NATS_OK ? NATS_NOT_PERMITTED : s, static_cast<jsErrCode>(0),
                               "publishing key uses on " + subject_, denied);
  connection_.reset();
  return failed;
}

UsesSubscription::~UsesSubscription() { drop(); }

void UsesSubscription::drop() {
  if (subscription_ != nullptr) natsSubscription_Destroy(subscription_);
  subscription_ = nullptr;
  connection_.reset();
}

Status UsesSubscription::subscribe() {
  auto connected = NatsConnection::connect(options_);
  if (!connected.is_ok()) return connected.status();
  connection_ = std::move(connected).value();
  natsStatus s =
      natsConnection_SubscribeSync(&subscription_, connection_->connection(), subject_.c_str());
  if (s == NATS_OK)
    s = natsConnection_FlushTimeout(connection_->connection(),
                                    static_cast<int64_t>(connection_->request_timeout().count()));
  if (s == NATS_OK) return Status::ok();
  Status failed = nats_failure(s, static_cast<jsErrCode>(0), "subscribing to " + subject_,
                               connection_->permission_violations() > 0);
  drop();
  return failed;
}

StatusOr<std::optional<std::string>> UsesSubscription::next(std::chrono::milliseconds wait) {
  if (subscription_ == nullptr) KEYLEDGER_RETURN_IF_ERROR(subscribe());
  natsMsg* message = nullptr;
  natsStatus s = natsSubscription_NextMsg(&message, subscription_,
                                          static_cast<int64_t>(std::max<long>(wait.count(), 1)));
  // A slow consumer lost messages it could not hold: their uses are lost
  // (core NATS), what follows is read as usual.
  if (s == NATS_TIMEOUT || s == NATS_SLOW_CONSUMER) return std::optional<std::string>();
  if (s != NATS_OK) {
    Status failed = nats_failure(s, static_cast<jsErrCode>(0), "reading " + subject_, false);
    drop();
    return failed;
  }
  std::string data(natsMsg_GetData(message),
                   static_cast<std::size_t>(natsMsg_GetDataLength(message)));
  natsMsg_Destroy(message);
  return std::optional<std::string>(std::move(data));
}

}  // namespace keyledger::replication
