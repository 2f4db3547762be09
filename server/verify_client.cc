#include "server/verify_client.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "core/stream_framing.h"
#include "core/verify_protocol.capnp.h"

namespace keyledger::client {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxAnswerBytes = 8 * 1024;

std::string_view privilege_text(schema::Privilege privilege) {
  switch (privilege) {
    case schema::Privilege::ADMIN:
      return "admin";
    case schema::Privilege::AUDITOR:
      return "auditor";
    default:
      return "user";
  }
}

VerifyResult result_of(wire::VerifyResponse::Result result) {
  switch (result) {
    case wire::VerifyResponse::Result::OK:
      return VerifyResult::kOk;
    case wire::VerifyResponse::Result::RATE_LIMITED:
      return VerifyResult::kRateLimited;
    case wire::VerifyResponse::Result::BAD_REQUEST:
      return VerifyResult::kBadRequest;
    default:
      return VerifyResult::kInvalid;
  }
}

}  // namespace

class VerifyClient::Connection {
 public:
  Connection(const std::string& host, std::uint16_t port) : socket_(io_) {
    boost::system::error_code error;
    auto address = asio::ip::make_address(host, error);
    if (!error) socket_.connect({address, port}, error);
    if (!error) socket_.set_option(tcp::no_delay(true), error);
    connected_ = !error;
  }
  bool connected() const { return connected_; }

  bool send(const std::string& bytes) {
    boost::system::error_code error;
    asio::write(socket_, asio::buffer(bytes), error);
    return !error;
  }

  // Reads one framed answer into `answer`.
  Status receive(VerifyAnswer& answer, std::uint64_t& id) {
    while (true) {
      auto size = complete_frame_size(buffer_, kMaxAnswerBytes);
      if (!size.is_ok()) return size.status();
      if (*size > 0) {
        Status parsed = parse(std::string_view(buffer_).substr(0, *size), answer, id);
        buffer_.erase(0, *size);
        return parsed;
      }
      char chunk[16 * 1024];
      boost::system::error_code error;
      std::size_t n = socket_.read_some(asio::buffer(chunk), error);
      if (error)
        return unavailable("connection_lost", "the verify connection closed: " + error.message());
      buffer_.append(chunk, n);
    }
  }

 private:
  static Status parse(std::string_view frame, VerifyAnswer& answer, std::uint64_t& id) {
    std::vector<capnp::word> words(frame.size() / sizeof(capnp::word));
    std::memcpy(words.data(), frame.data(), frame.size());
    try {
      capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()));
      auto response = reader.getRoot<wire::VerifyResponse>();
      id = response.getId();
      answer.result = result_of(response.getResult());
      answer.user_id = response.getUserId().cStr();
      answer.privilege = answer.valid() ? std::string(privilege_text(response.getPrivilege())) : "";
      answer.key_id = response.getKeyId().cStr();
      return Status::ok();
    } catch (const kj::Exception&) {
      return corruption("bad_answer", "keyledgerd sent an answer that does not decode");
    }
  }

  asio::io_context io_;
  tcp::socket socket_;
  bool connected_ = false;
  std::string buffer_;
};

VerifyClient::VerifyClient(std::string host, std::uint16_t port)
    : host_(std::move(host)), port_(port) {}
VerifyClient::~VerifyClient() = default;
VerifyClient::VerifyClient(VerifyClient&&) noexcept = default;
VerifyClient& VerifyClient::operator=(VerifyClient&&) noexcept = default;

StatusOr<VerifyAnswer> VerifyClient::verify(const std::string& token,
                                            const std::string& client_ip) {
  VerifyQuery query{token, client_ip};
  auto answers = verify_many(std::span(&query, 1));
  if (!answers.is_ok()) return answers.status();
  return std::move((*answers)[0]);
}

StatusOr<std::vector<VerifyAnswer>> VerifyClient::verify_many(
    std::span<const VerifyQuery> queries) {
  // Verification is idempotent, so a batch cut by a lost connection is
  // simply sent again once on a fresh one.
  auto answers = exchange(queries);
  if (answers.is_ok() || answers.status().code() != StatusCode::kUnavailable) return answers;
  connection_.reset();
  return exchange(queries);
}

StatusOr<std::vector<VerifyAnswer>> VerifyClient::exchange(std::span<const VerifyQuery> queries) {
  if (!connection_ || !connection_->connected()) {
    connection_ = std::make_unique<Connection>(host_, port_);
    if (!connection_->connected())
      return unavailable("unreachable",
                         "cannot connect to keyledgerd at " + host_ + ":" + std::to_string(port_));
  }
  const std::uint64_t first_id = next_id_;
  std::string bytes;
  for (const auto& query : queries) {
    capnp::MallocMessageBuilder message(32);
    auto request = message.initRoot<wire::VerifyRequest>();
    request.setId(next_id_++);
    request.setToken(query.token);
    request.setClientIp(query.client_ip);
    bytes += frame_message(message);
  }
  if (!connection_->send(bytes)) {
    connection_.reset();
    return unavailable("connection_lost", "writing to keyledgerd failed");
  }
  std::vector<VerifyAnswer> answers(queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::uint64_t id = 0;
    Status received = connection_->receive(answers[i], id);
    if (received.is_ok() && id != first_id + i)
      received = corruption("bad_answer", "answers arrived out of order");
    if (!received.is_ok()) {
      connection_.reset();
      return received;
    }
  }
  return answers;
}

}  // namespace keyledger::client
