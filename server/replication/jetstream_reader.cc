#include "server/replication/jetstream_reader.h"

#include <nats/nats.h>

#include "server/replication/nats_errors.h"

namespace keyledger::replication {
namespace {

constexpr auto kNoJsError = static_cast<jsErrCode>(0);
// The server drops an ephemeral consumer nobody pulled from for this long
// (a follower that died): the reader makes a new one when it comes back.
constexpr auto kInactiveThreshold = std::chrono::seconds(60);
// After this long without a message, the next empty wait asks whether the
// consumer still exists, so a consumer lost with its server is noticed.
constexpr auto kConfirmInterval = std::chrono::seconds(1);

// nats.c's answers that mean "nothing there (yet)", not a failure.
bool nothing_arrived(natsStatus status) {
  return status == NATS_TIMEOUT || status == NATS_NOT_FOUND;
}

}  // namespace

JetStreamReader::JetStreamReader(NatsConnection& connection, std::string stream,
                                 std::string subject, std::uint64_t seq)
    : connection_(connection),
      stream_(std::move(stream)),
      subject_(std::move(subject)),
      next_seq_(seq),
      last_confirmed_(std::chrono::steady_clock::now()) {}

StatusOr<std::unique_ptr<StreamReader>> JetStreamReader::open(NatsConnection& connection,
                                                              std::string stream,
                                                              std::string subject,
                                                              std::uint64_t seq) {
  std::unique_ptr<JetStreamReader> reader(
      new JetStreamReader(connection, std::move(stream), std::move(subject), seq == 0 ? 1 : seq));
  KEYLEDGER_RETURN_IF_ERROR(reader->subscribe());
  return std::unique_ptr<StreamReader>(std::move(reader));
}

JetStreamReader::~JetStreamReader() { unsubscribe(); }

Status JetStreamReader::subscribe() {
  const auto before = connection_.permission_violations();
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream_.c_str();
  options.Config.DeliverPolicy = js_DeliverByStartSequence;
  options.Config.OptStartSeq = next_seq_;
  options.Config.AckPolicy = js_AckNone;
  options.Config.InactiveThreshold = std::chrono::nanoseconds(kInactiveThreshold).count();
  jsErrCode code = kNoJsError;
  natsStatus s = js_PullSubscribe(&subscription_, connection_.jetstream(), subject_.c_str(),
                                  /*durable=*/nullptr, nullptr, &options, &code);
  if (s != NATS_OK) {
    subscription_ = nullptr;
    return nats_failure(s, code, "making a consumer of the NATS stream " + stream_,
                        connection_.permission_violations() != before);
  }
  last_confirmed_ = std::chrono::steady_clock::now();
  return Status::ok();
}

void JetStreamReader::unsubscribe() {
  if (subscription_ == nullptr) return;
  // Deletes the ephemeral consumer on the server (NATS.md trap 6 is about
  // durables, which this reader never makes).
  natsSubscription_Unsubscribe(subscription_);
  natsSubscription_Destroy(subscription_);
  subscription_ = nullptr;
}

Status JetStreamReader::fetch(std::size_t max, std::chrono::milliseconds wait, bool no_wait,
                              std::vector<StreamMessage>& out) {
  const auto before = connection_.permission_violations();
  jsFetchRequest request;
  jsFetchRequest_Init(&request);
  request.Batch = static_cast<int>(max);
  request.NoWait = no_wait;
  request.Expires = std::chrono::nanoseconds(wait).count();
  natsMsgList list{};
  natsStatus s = natsSubscription_FetchRequest(&list, subscription_, &request);
  if (s != NATS_OK && !nothing_arrived(s))
    return nats_failure(s, kNoJsError, "reading the NATS stream " + stream_,
                        connection_.permission_violations() != before);
  for (int i = 0; i < list.Count; ++i) {
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, list.Msgs[i]) != NATS_OK) continue;
    const std::uint64_t seq = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
    out.push_back(
        {seq, std::string(natsMsg_GetData(list.Msgs[i]),
                          static_cast<std::size_t>(natsMsg_GetDataLength(list.Msgs[i])))});
    next_seq_ = seq + 1;
  }
  natsMsgList_Destroy(&list);
  if (!out.empty()) last_confirmed_ = std::chrono::steady_clock::now();
  return Status::ok();
}

Status JetStreamReader::check_consumer() {
  if (std::chrono::steady_clock::now() - last_confirmed_ < kConfirmInterval) return Status::ok();
  const auto before = connection_.permission_violations();
  jsConsumerInfo* info = nullptr;
  jsErrCode code = kNoJsError;
  natsStatus s = natsSubscription_GetConsumerInfo(&info, subscription_, nullptr, &code);
  if (s != NATS_OK)
    return nats_failure(s, code, "checking the consumer of the NATS stream " + stream_,
                        connection_.permission_violations() != before);
  jsConsumerInfo_Destroy(info);
  last_confirmed_ = std::chrono::steady_clock::now();
  return Status::ok();
}

StatusOr<std::vector<StreamMessage>> JetStreamReader::next(std::size_t max,
                                                           std::chrono::milliseconds wait) {
  std::vector<StreamMessage> out;
  if (max == 0) return out;
  if (subscription_ == nullptr) KEYLEDGER_RETURN_IF_ERROR(subscribe());
  // What is there now, in one batch; else the first message to come (a
  // batch of 1 ends when it arrives, a bigger one would wait for the whole
  // batch), then what followed it.
  Status fetched = fetch(max, connection_.request_timeout(), /*no_wait=*/true, out);
  if (fetched.is_ok() && out.empty()) fetched = fetch(1, wait, /*no_wait=*/false, out);
  if (fetched.is_ok() && out.size() == 1 && max > 1)
    fetched = fetch(max - 1, connection_.request_timeout(), /*no_wait=*/true, out);
  if (fetched.is_ok() && out.empty()) fetched = check_consumer();
  if (!fetched.is_ok()) {
    // A new consumer from next_seq_ on the next call.
    unsubscribe();
    if (out.empty()) return fetched;
  }
  return out;
}

}  // namespace keyledger::replication
