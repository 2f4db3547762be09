#include "server/client/verify_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cassert>
#include <charconv>

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

namespace {

Status bad_endpoint(std::string_view text, std::string_view why) {
  return invalid_argument(Reason::kBadAddress,
                          "'" + std::string(text) + "' is not a verify endpoint: " +
                              std::string(why) + " (HOST:PORT, IPv6 as [ADDRESS]:PORT)");
}

StatusOr<VerifyEndpoint> parse_one_endpoint(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad_endpoint(text, "no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string_view::npos)
    return bad_endpoint(text, "an IPv6 address goes in brackets");
  boost::system::error_code error;
  asio::ip::make_address(std::string(host), error);
  if (error) return bad_endpoint(text, "the host is not an IP address");
  unsigned port = 0;
  const auto [end, parse_error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (parse_error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535)
    return bad_endpoint(text, "the port is not a number from 1 to 65535");
  return VerifyEndpoint{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string endpoint_name(const VerifyEndpoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

}  // namespace

StatusOr<std::vector<VerifyEndpoint>> parse_verify_endpoints(std::string_view text) {
  std::vector<VerifyEndpoint> endpoints;
  while (true) {
    const std::size_t comma = text.find(',');
    auto endpoint = parse_one_endpoint(text.substr(0, comma));
    if (!endpoint.is_ok()) return endpoint.status();
    endpoints.push_back(std::move(endpoint).value());
    if (comma == std::string_view::npos) return endpoints;
    text.remove_prefix(comma + 1);
  }
}

VerifyClient::VerifyClient(std::string host, std::uint16_t port)
    : VerifyClient(std::vector<VerifyEndpoint>{{std::move(host), port}}) {}

VerifyClient::VerifyClient(std::vector<VerifyEndpoint> endpoints, VerifyClientOptions options)
    : endpoints_(std::move(endpoints)), options_(options) {
  assert(!endpoints_.empty());
}

VerifyClient::~VerifyClient() = default;
VerifyClient::VerifyClient(VerifyClient&&) noexcept = default;
VerifyClient& VerifyClient::operator=(VerifyClient&&) noexcept = default;

StatusOr<VerifyAnswer> VerifyClient::verify(const std::string& token, const std::string& client_ip,
                                            std::uint64_t min_seq) {
  VerifyQuery query{token, client_ip, min_seq};
  auto answers = verify_many(std::span(&query, 1));
  if (!answers.is_ok()) return answers.status();
  return std::move((*answers)[0]);
}

StatusOr<std::vector<VerifyAnswer>> VerifyClient::verify_many(
    std::span<const VerifyQuery> queries) {
  return_to_first_if_due();
  std::vector<VerifyAnswer> answers(queries.size());
  // The queries still to answer, as indexes into `queries`.
  std::vector<std::size_t> open(queries.size());
  for (std::size_t i = 0; i < open.size(); ++i) open[i] = i;
  std::string failures;  // why each endpoint tried could not answer
  bool reconnected = false;
  for (std::size_t tried = 0; tried < endpoints_.size();) {
    std::vector<VerifyQuery> asked;
    for (std::size_t i : open) asked.push_back(queries[i]);
    bool reused = false;
    auto got = exchange(asked, reused);
    if (!got.is_ok() && got.status().code() != StatusCode::kUnavailable) return got.status();
    // Verification is idempotent, so a batch cut by a lost connection is
    // simply sent again once on a fresh one (a kept connection the server
    // closed while idle is no reason to move on).
    if (!got.is_ok() && reused && !reconnected) {
      reconnected = true;
      continue;
    }
    std::vector<std::size_t> unanswered;
    if (got.is_ok()) {
      for (std::size_t k = 0; k < open.size(); ++k) {
        answers[open[k]] = std::move((*got)[k]);
        if (answers[open[k]].result == VerifyResult::kUnavailable) unanswered.push_back(open[k]);
      }
      if (unanswered.empty()) return answers;
      failures += current_name() + ": could not answer yet (unavailable); ";
    } else {
      failures += current_name() + ": " + got.status().message() + "; ";
      unanswered = open;
    }
    open = std::move(unanswered);
    reconnected = false;
    ++tried;
    move_to_next_endpoint();
  }
  // Every endpoint answered, if only `unavailable`: those are answers.
  for (std::size_t i : open)
    if (answers[i].result != VerifyResult::kUnavailable)
      return unavailable(Reason::kUnreachable, "no verify endpoint could be reached: " +
                                                   failures.substr(0, failures.size() - 2));
  return answers;
}

void VerifyClient::move_to_next_endpoint() {
  connection_.reset();
  if (endpoints_.size() == 1) return;
  if (current_ == 0) left_first_at_ = std::chrono::steady_clock::now();
  current_ = (current_ + 1) % endpoints_.size();
}

void VerifyClient::return_to_first_if_due() {
  if (current_ == 0 ||
      std::chrono::steady_clock::now() - left_first_at_ < options_.return_to_first_after)
    return;
  connection_.reset();
  current_ = 0;
}

std::string VerifyClient::current_name() const { return endpoint_name(endpoints_[current_]); }

StatusOr<std::vector<VerifyAnswer>> VerifyClient::exchange(std::span<const VerifyQuery> queries,
                                                           bool& reused) {
  reused = connection_ && connection_->connected();
  if (!reused) {
    const VerifyEndpoint& endpoint = endpoints_[current_];
    connection_ = std::make_unique<Connection>(endpoint.host, endpoint.port);
    if (!connection_->connected())
      return unavailable(Reason::kUnreachable, "cannot connect to keyledgerd at " + current_name());
  }
  const std::uint64_t first_id = next_id_;
  std::string bytes;
  for (const auto& query : queries)
    bytes += encode_verify_request(next_id_++, query.token, query.client_ip, query.min_seq);
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
