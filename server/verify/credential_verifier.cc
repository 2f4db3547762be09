#include "server/verify/credential_verifier.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/hash.h"
#include "core/ipv4_text.h"
#include "core/text.h"
#include "core/token.h"
#include "projections/live_projection.h"

namespace keyledger::server {

Status invalid_credentials() {
  return Status(StatusCode::kUnauthenticated, Reason::kInvalidCredentials,
                "the credentials are invalid");
}

Status rate_limited() {
  return Status(StatusCode::kResourceExhausted, Reason::kRateLimited,
                "too many failed verifications from this client");
}

Status stale_replica() {
  return unavailable(Reason::kStaleReplica,
                     "this follower has not confirmed within --max-staleness that it holds every "
                     "event of the stream");
}

CredentialVerifier::CredentialVerifier(const projections::LiveProjection& projection,
                                       const SecretHasher& hasher, LastUseTracker& last_use,
                                       FailureRateLimiter& limiter, const Clock& clock,
                                       std::string token_prefix, const ReplicaFreshness* freshness)
    : projection_(projection),
      last_use_(last_use),
      limiter_(limiter),
      clock_(clock),
      token_prefix_(std::move(token_prefix)),
      hasher_(hasher),
      freshness_(freshness) {}

Status CredentialVerifier::fail(const std::string& client_ip, std::int64_t* retry_after_seconds) {
  if (const std::int64_t wait = limiter_.count_failure(client_ip); wait > 0) {
    counters_.rate_limited.fetch_add(1, std::memory_order_relaxed);
    if (retry_after_seconds) *retry_after_seconds = wait;
    return rate_limited();
  }
  counters_.invalid.fetch_add(1, std::memory_order_relaxed);
  return invalid_credentials();
}

StatusOr<VerifiedKey> CredentialVerifier::verify(std::string_view token_text,
                                                 const std::string& client_ip,
                                                 std::int64_t* retry_after_seconds) {
  // A follower that cannot confirm it is current answers nothing from its
  // state, whatever the key (fail closed).
  if (freshness_ && !freshness_->fresh()) {
    counters_.stale.fetch_add(1, std::memory_order_relaxed);
    return stale_replica();
  }
  // Views into token_text: no copy of the secret on the hot path.
  auto token = parse_token_parts(token_text, token_prefix_);
  if (!token.is_ok()) return fail(client_ip, retry_after_seconds);
  // The key's index entry is a cache miss with many keys: start fetching it,
  // hash the secret meanwhile, and then look it up. So every well-formed
  // token costs a hash, whether its key exists or not, and every key that
  // exists costs the same compare, whatever its state.
  projection_.prefetch_verification(token->key_id);
  const Hash256 presented = hasher_.hash(token->key_id, token->secret);
  // One lookup checks the secret and, for a key used from the same IPv4
  // address as before, records the use in memory.
  const std::optional<std::uint32_t> ipv4 = parse_canonical_ipv4(client_ip);
  const TimeNs now = clock_.now_ns();
  projections::SecretCheck checked = projection_.check_secret(token->key_id, presented, ipv4, now);
  if (!checked.verified) return fail(client_ip, retry_after_seconds);
  if (!checked.use_touched) last_use_.record_untouched(token->key_id, client_ip, now, ipv4);
  counters_.ok.fetch_add(1, std::memory_order_relaxed);
  return VerifiedKey{std::move(checked.owner), checked.owner_privilege, std::string(token->key_id)};
}

// Its HTTP face.

namespace {

constexpr std::string_view kVerifyPath = "/v1/verify";

// The token of "Authorization: Bearer <token>"; nullopt for another scheme.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() && starts_with_ignoring_case(authorization, kBearer))
    return authorization.substr(kBearer.size());
  return std::nullopt;
}

// Appends `text` as a JSON string exactly as Json::dump() writes it: plain
// printable ASCII as it is, anything else (quotes, control characters,
// UTF-8, invalid bytes) through the JSON library itself.
void append_json_string(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    out += nlohmann::json(std::string(text))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

}  // namespace

PresentedToken presented_token(const HttpRequest& request) {
  using Presence = PresentedToken::Presence;
  const auto [keys, keys_end] = request.equal_range("MC-Api-Key");
  const auto [authorizations, authorizations_end] = request.equal_range(http::field::authorization);
  const bool has_key = keys != keys_end, has_authorization = authorizations != authorizations_end;
  // Same-named fields are adjacent (Beast keeps them so): a second one
  // directly follows the first.
  if ((has_key && std::next(keys) != keys_end) ||
      (has_authorization && std::next(authorizations) != authorizations_end))
    return {Presence::kAmbiguous, {}};
  const auto bearer = has_authorization ? bearer_token(authorizations->value()) : std::nullopt;
  if (has_key) {
    const std::string_view key = keys->value();
    // The same key in both headers (for clients of either convention) is
    // one key; another scheme beside MC-Api-Key names no key.
    if (bearer && *bearer != key) return {Presence::kAmbiguous, {}};
    return {Presence::kOne, key};
  }
  if (has_authorization) return {Presence::kOne, bearer.value_or(std::string_view())};
  return {Presence::kNone, {}};
}

Status ambiguous_credentials() {
  return invalid_argument(Reason::kAmbiguousCredentials,
                          "the request presents more than one API key; send exactly one");
}

StatusOr<std::uint64_t> requested_min_seq(const HttpRequest& request) {
  const auto [first, end] = request.equal_range(kMinSeqHeader);
  if (first == end) return std::uint64_t{0};
  const std::string_view text = first->value();
  std::uint64_t min_seq = 0;
  const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), min_seq);
  // from_chars takes no sign but '-'; a '-' is refused as no digit.
  if (std::next(first) != end || text.empty() || error != std::errc() ||
      stop != text.data() + text.size())
    return invalid_argument(Reason::kInvalidMinSeq,
                            std::string(kMinSeqHeader) +
                                " must be sent once, as a whole number from 0 to "
                                "18446744073709551615");
  return min_seq;
}

RouteReply VerifyHandler::answer(Exchange& exchange) {
  // The one look a verification without the header pays.
  if (exchange.request.find(kMinSeqHeader) != exchange.request.end())
    return answer_at_min_seq(exchange);
  return verify_now(exchange);
}

RouteReply VerifyHandler::answer_at_min_seq(Exchange& exchange) {
  const StatusOr<std::uint64_t> min_seq = requested_min_seq(exchange.request);
  if (!min_seq.is_ok()) return min_seq.status();
  const AppliedSeq::Check check = applied_.check(*min_seq);
  if (check == AppliedSeq::Check::kReached) return verify_now(exchange);
  // Outside a connection (a test) there is no thread to wait on.
  if (check == AppliedSeq::Check::kBeyondLast || exchange.timers == nullptr || !exchange.executor)
    return seq_not_reached(*min_seq, applied_.applied());
  return RouteReply::answer_later([this, min_seq = *min_seq](std::shared_ptr<Exchange> waiting,
                                                             Respond respond) {
    ConnectionTimers& timers = *waiting->timers;
    auto executor = waiting->executor;
    applied_.wait_for(
        min_seq, timers, std::move(executor),
        [this, min_seq, waiting = std::move(waiting), respond = std::move(respond)](bool reached) {
          if (!reached) return respond(seq_not_reached(min_seq, applied_.applied()));
          respond(verify_now(*waiting));
        });
  });
}

RouteReply VerifyHandler::verify_now(Exchange& exchange) {
  const PresentedToken presented = presented_token(exchange.request);
  // Two keys verify as neither: nothing is verified, counted or recorded.
  if (presented.presence == PresentedToken::Presence::kAmbiguous) return ambiguous_credentials();
  if (presented.presence == PresentedToken::Presence::kNone) return invalid_credentials();
  std::int64_t retry_after = 0;
  auto verified = verifier_.verify(presented.token, exchange.client_ip, &retry_after);
  if (!verified.is_ok()) {
    if (retry_after > 0)
      return RouteReply(verified.status())
          .with_header(http::field::retry_after, std::to_string(retry_after));
    return verified.status();
  }
  exchange.user = verified->user_id;
  return verified_key_response(exchange, verified->user_id, privilege_name(verified->privilege),
                               verified->key_id);
}

HttpResponse verified_key_response(const Exchange& exchange, std::string_view user,
                                   std::string_view privilege, std::string_view key_id) {
  HttpResponse response{http::status::ok, exchange.request.version()};
  // The fields are new, so insert() gives what set() would, without
  // looking for an earlier value first.
  response.insert(http::field::content_type, "application/json; charset=utf-8");
  response.insert(http::field::cache_control, "no-store");
  response.insert("X-Request-Id", exchange.request_id);
  response.keep_alive(exchange.request.keep_alive());
  // Json objects keep their keys sorted; so does this.
  std::string& body = response.body();
  body.reserve(40 + user.size() + privilege.size() + key_id.size());
  body += "{\"key_id\":";
  append_json_string(body, key_id);
  body += ",\"privilege\":";
  append_json_string(body, privilege);
  body += ",\"user\":";
  append_json_string(body, user);
  body += '}';
  return response;
}

void add_verify_route(Router& router, VerifyHandler& handler) {
  // Answers at once: the session calls VerifyHandler::answer and writes
  // what it returns.
  router.add(http::verb::get, std::string(kVerifyPath),
             std::bind_front(&VerifyHandler::answer, &handler));
}

std::vector<std::pair<std::string, std::string>> verify_route_table() {
  return {{"GET", std::string(kVerifyPath)}};
}

}  // namespace keyledger::server
