#include "server/replication/jetstream_stream.h"

#include <nats/nats.h>

#include <cstdlib>
#include <cstring>
#include <map>

#include "server/replication/jetstream_reader.h"
#include "server/replication/nats_errors.h"

namespace keyledger::replication {
namespace {

constexpr const char* kMsgIdHeader = "Nats-Msg-Id";
// nats.c sets this header only for an expected sequence above 0, but event
// 1 expects an empty stream: keyledger always sets it itself.
constexpr const char* kExpectedLastSeqHeader = "Nats-Expected-Last-Sequence";
constexpr auto kNoJsError = static_cast<jsErrCode>(0);

// One reason an existing stream's config cannot hold a keyledger ledger, or
// "" when it can: a subject beside ours would take stream sequences, and a
// limit, a rollup or a purge would lose events.
std::string incompatibility(const jsStreamConfig& config, const std::string& subject) {
  if (config.SubjectsLen != 1 || subject != config.Subjects[0])
    return "its subjects are not exactly " + subject;
  if (config.Retention != js_LimitsPolicy) return "its retention is not by limits";
  if (config.MaxMsgs > 0 || config.MaxBytes > 0 || config.MaxAge > 0 ||
      config.MaxMsgsPerSubject > 0)
    return "it has a limit on messages, bytes or age";
  if (config.MaxMsgSize > 0 && config.MaxMsgSize < (1 << 20))
    return "it limits a message to less than 1 MiB";
  if (config.Storage != js_FileStorage) return "its storage is not file storage";
  if (config.Sealed) return "it is sealed";
  if (config.AllowRollup) return "it allows rollups, which purge messages";
  if (config.Mirror != nullptr || config.SourcesLen > 0) return "it mirrors or sources another";
  return "";
}

// A message of event `seq` with its id and expected last sequence.
natsStatus event_message(natsMsg** msg, const std::string& subject, const std::string& ledger_id,
                         std::uint64_t seq, std::string_view bytes) {
  natsStatus s =
      natsMsg_Create(msg, subject.c_str(), nullptr, bytes.data(), static_cast<int>(bytes.size()));
  const std::string id = ledger_id + ":" + std::to_string(seq);
  const std::string expected = std::to_string(seq - 1);
  if (s == NATS_OK) s = natsMsgHeader_Set(*msg, kMsgIdHeader, id.c_str());
  if (s == NATS_OK) s = natsMsgHeader_Set(*msg, kExpectedLastSeqHeader, expected.c_str());
  return s;
}

// The seq in a message's id ("<ledger>:<seq>"), or 0.
std::uint64_t seq_of(natsMsg* msg) {
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, kMsgIdHeader, &id) != NATS_OK || id == nullptr) return 0;
  const char* colon = std::strrchr(id, ':');
  return colon == nullptr ? 0 : std::strtoull(colon + 1, nullptr, 10);
}

}  // namespace

// The answers to the asynchronous publishes in flight, by seq, which
// nats.c's ack handler fills on its own thread.
struct JetStreamEventStream::AsyncAcks {
  struct Answer {
    natsStatus status = NATS_OK;
    jsErrCode code = kNoJsError;
    PublishAck ack;
  };
  std::mutex mutex;
  std::map<std::uint64_t, Answer> answers;

  static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure) {
    auto* self = static_cast<AsyncAcks*>(closure);
    Answer answer;
    if (ack != nullptr) answer.ack = {ack->Sequence, ack->Duplicate};
    if (error != nullptr) {
      answer.status = error->Err == NATS_OK ? NATS_ERR : error->Err;
      answer.code = error->ErrCode;
    }
    {
      std::lock_guard lock(self->mutex);
      self->answers[seq_of(msg)] = answer;
    }
    natsMsg_Destroy(msg);
  }
};

bool valid_stream_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

std::string events_subject(const std::string& stream) { return "keyledger." + stream + ".events"; }
std::string uses_subject(const std::string& stream) { return "keyledger." + stream + ".uses"; }

JetStreamEventStream::JetStreamEventStream(std::unique_ptr<NatsConnection> connection,
                                           JetStreamOptions options, std::string ledger_id)
    : connection_(std::move(connection)),
      options_(std::move(options)),
      ledger_id_(std::move(ledger_id)),
      subject_(events_subject(options_.stream)),
      acks_(std::make_unique<AsyncAcks>()) {
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = connection_->request_timeout().count();
  js_options.PublishAsync.MaxPending = options_.max_pending;
  js_options.PublishAsync.AckHandler = &AsyncAcks::on_ack;
  js_options.PublishAsync.AckHandlerClosure = acks_.get();
  // Without it, publish_batch answers every call with kUnavailable.
  if (natsConnection_JetStream(&async_jetstream_, connection_->connection(), &js_options) !=
      NATS_OK)
    async_jetstream_ = nullptr;
}

JetStreamEventStream::~JetStreamEventStream() {
  // Closed first: no late ack handler may find acks_ gone. The context
  // holds its own reference to the connection.
  connection_.reset();
  if (async_jetstream_ != nullptr) jsCtx_Destroy(async_jetstream_);
}

Status JetStreamEventStream::failure(int status, int code, const std::string& what,
                                     std::uint64_t violations_before) const {
  return nats_failure(static_cast<natsStatus>(status), static_cast<jsErrCode>(code), what,
                      connection_->permission_violations() != violations_before);
}

Status JetStreamEventStream::ensure_stream() { return open_stream(/*create=*/true); }
Status JetStreamEventStream::check_stream() { return open_stream(/*create=*/false); }

Status JetStreamEventStream::open_stream(bool create) {
  const auto before = connection_->permission_violations();
  jsStreamInfo* info = nullptr;
  jsErrCode code = kNoJsError;
  natsStatus s =
      js_GetStreamInfo(&info, connection_->jetstream(), options_.stream.c_str(), nullptr, &code);
  if (s != NATS_OK && code == JSStreamNotFoundErr) {
    if (!create)
      return not_found(Reason::kStreamMessageMissing,
                       "the NATS stream " + options_.stream + " does not exist (yet)");
    const char* subjects[] = {subject_.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = options_.stream.c_str();
    config.Description = "keyledger's event log: message N is event N";
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = options_.replicas;
    config.Duplicates = std::chrono::nanoseconds(options_.duplicate_window).count();  // trap 5
    config.DenyDelete = true;
    config.DenyPurge = true;
    code = kNoJsError;
    s = js_AddStream(&info, connection_->jetstream(), &config, nullptr, &code);
    // Another node created it meanwhile: check the one that exists.
    if (s != NATS_OK && code == JSStreamNameExistErr)
      s = js_GetStreamInfo(&info, connection_->jetstream(), options_.stream.c_str(), nullptr,
                           &code);
  }
  if (s != NATS_OK) return failure(s, code, "opening the NATS stream " + options_.stream, before);
  const std::string problem = incompatibility(*info->Config, subject_);
  jsStreamInfo_Destroy(info);
  if (!problem.empty())
    return failed_precondition(Reason::kStreamConfigIncompatible,
                               "the NATS stream " + options_.stream +
                                   " exists but cannot hold a keyledger ledger: " + problem +
                                   " (keyledger never changes or deletes a stream: fix it, or "
                                   "choose another name with --nats-stream)");
  return Status::ok();
}

StatusOr<std::uint64_t> JetStreamEventStream::last_seq() {
  const auto before = connection_->permission_violations();
  jsStreamInfo* info = nullptr;
  jsErrCode code = kNoJsError;
  natsStatus s =
      js_GetStreamInfo(&info, connection_->jetstream(), options_.stream.c_str(), nullptr, &code);
  if (s != NATS_OK) return failure(s, code, "asking the NATS stream's last seq", before);
  const std::uint64_t last = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  return last;
}

StatusOr<StreamMessage> JetStreamEventStream::get(std::uint64_t seq) {
  const auto before = connection_->permission_violations();
  natsMsg* msg = nullptr;
  jsErrCode code = kNoJsError;
  natsStatus s =
      js_GetMsg(&msg, connection_->jetstream(), options_.stream.c_str(), seq, nullptr, &code);
  if (s != NATS_OK)
    return failure(s, code, "getting message " + std::to_string(seq) + " of the stream", before);
  StreamMessage message{
      seq, std::string(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)))};
  natsMsg_Destroy(msg);
  return message;
}

StatusOr<PublishAck> JetStreamEventStream::publish(std::uint64_t seq, std::string_view bytes) {
  const auto before = connection_->permission_violations();
  const std::string what = "publishing event " + std::to_string(seq);
  natsMsg* msg = nullptr;
  natsStatus s = event_message(&msg, subject_, ledger_id_, seq, bytes);
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.ExpectStream = options_.stream.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode code = kNoJsError;
  if (s == NATS_OK) s = js_PublishMsg(&ack, connection_->jetstream(), msg, &options, &code);
  natsMsg_Destroy(msg);
  if (s != NATS_OK) return failure(s, code, what, before);
  PublishAck answer{ack->Sequence, ack->Duplicate};
  jsPubAck_Destroy(ack);
  return answer;
}

StatusOr<std::vector<PublishAck>> JetStreamEventStream::publish_batch(
    std::uint64_t first_seq, std::span<const std::string_view> events) {
  if (async_jetstream_ == nullptr)
    return unavailable(Reason::kStreamUnavailable, "no JetStream context for async publishing");
  const auto before = connection_->permission_violations();
  {
    std::lock_guard lock(acks_->mutex);
    acks_->answers.clear();
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.ExpectStream = options_.stream.c_str();
  options.MaxWait = connection_->request_timeout().count();
  std::size_t sent = 0;
  natsStatus s = NATS_OK;
  for (; sent < events.size() && s == NATS_OK; ++sent) {
    natsMsg* msg = nullptr;
    s = event_message(&msg, subject_, ledger_id_, first_seq + sent, events[sent]);
    if (s == NATS_OK) s = js_PublishMsgAsync(async_jetstream_, &msg, &options);
    natsMsg_Destroy(msg);  // nats.c took it (and nulled it) when sent
    if (s != NATS_OK) break;
  }
  jsPubOptions complete;
  jsPubOptions_Init(&complete);
  complete.MaxWait = connection_->request_timeout().count();
  // (nats.c's pending list exists once something was sent.)
  if (sent > 0 && js_PublishAsyncComplete(async_jetstream_, &complete) != NATS_OK) {
    // Drop what is still in flight: the caller publishes it again.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, async_jetstream_) == NATS_OK)
      natsMsgList_Destroy(&pending);
  }
  std::vector<PublishAck> acks;
  std::lock_guard lock(acks_->mutex);
  for (std::size_t i = 0; i < sent; ++i) {
    const auto found = acks_->answers.find(first_seq + i);
    if (found != acks_->answers.end() && found->second.status == NATS_OK) {
      acks.push_back(found->second.ack);
      continue;
    }
    if (!acks.empty()) break;
    const natsStatus error = found == acks_->answers.end() ? NATS_TIMEOUT : found->second.status;
    const jsErrCode code = found == acks_->answers.end() ? kNoJsError : found->second.code;
    return failure(error, code, "publishing event " + std::to_string(first_seq + i), before);
  }
  if (acks.empty() && !events.empty())
    return failure(s == NATS_OK ? NATS_ERR : s, kNoJsError,
                   "publishing event " + std::to_string(first_seq), before);
  return acks;
}

StatusOr<std::unique_ptr<StreamReader>> JetStreamEventStream::read_from(std::uint64_t seq) {
  return JetStreamReader::open(*connection_, options_.stream, subject_, seq);
}

}  // namespace keyledger::replication
