#include "server/client/verify_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "core/stream_framing.h"
#include "server/client/verify_wire.h"

namespace keyledger::client {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

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
        Status parsed =
            decode_verify_answer(std::string_view(buffer_).substr(0, *size), answer, id);
        buffer_.erase(0, *size);
        return parsed;
      }
      char chunk[16 * 1024];
      boost::system::error_code error;
      std::size_t n = socket_.read_some(asio::buffer(chunk), error);
      if (error)
        return unavailable(Reason::kConnectionLost,
                           "the verify connection closed: " + error.message());
      buffer_.append(chunk, n);
    }
  }

 private:
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
      return unavailable(Reason::kUnreachable,
                         "cannot connect to keyledgerd at " + host_ + ":" + std::to_string(port_));
  }
  const std::uint64_t first_id = next_id_;
  std::string bytes;
  for (const auto& query : queries)
    bytes += encode_verify_request(next_id_++, query.token, query.client_ip);
  if (!connection_->send(bytes)) {
    connection_.reset();
    return unavailable(Reason::kConnectionLost, "writing to keyledgerd failed");
  }
  std::vector<VerifyAnswer> answers(queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::uint64_t id = 0;
    Status received = connection_->receive(answers[i], id);
    if (received.is_ok() && id != first_id + i)
      received = corruption(Reason::kBadAnswer, "answers arrived out of order");
    if (!received.is_ok()) {
      connection_.reset();
      return received;
    }
  }
  return answers;
}

}  // namespace keyledger::client
