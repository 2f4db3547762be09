#include "server/replication/connecting_stream.h"

namespace keyledger::replication {

StatusOr<EventStream*> ConnectingEventStream::stream() {
  std::lock_guard lock(mutex_);
  if (!stream_) {
    auto opened = open_();
    if (!opened.is_ok()) return opened.status();
    stream_ = std::move(opened).value();
  }
  return stream_.get();
}

StatusOr<std::uint64_t> ConnectingEventStream::last_seq() {
  auto real = stream();
  if (!real.is_ok()) return real.status();
  return (*real)->last_seq();
}

StatusOr<StreamMessage> ConnectingEventStream::get(std::uint64_t seq) {
  auto real = stream();
  if (!real.is_ok()) return real.status();
  return (*real)->get(seq);
}

StatusOr<PublishAck> ConnectingEventStream::publish(std::uint64_t seq, std::string_view bytes) {
  auto real = stream();
  if (!real.is_ok()) return real.status();
  return (*real)->publish(seq, bytes);
}

StatusOr<std::vector<PublishAck>> ConnectingEventStream::publish_batch(
    std::uint64_t first_seq, std::span<const std::string_view> events) {
  auto real = stream();
  if (!real.is_ok()) return real.status();
  return (*real)->publish_batch(first_seq, events);
}

StatusOr<std::unique_ptr<StreamReader>> ConnectingEventStream::read_from(std::uint64_t seq) {
  auto real = stream();
  if (!real.is_ok()) return real.status();
  return (*real)->read_from(seq);
}

}  // namespace keyledger::replication
