#include "tests/bench/verification_fixture.h"

#include <stdexcept>

#include "core/random.h"
#include "core/token.h"
#include "projections/live_projection.h"
#include "server/daemon/leader_parts.h"
#include "server/writer/group_commit_writer.h"
#include "storage/rocks_event_log.h"
#include "tests/bench/bench_common.h"
#include "tests/support/temp_dir.h"

namespace keyledger::bench {

namespace {

SecretHasher hasher_of(const std::string& pepper) {
  auto hasher = SecretHasher::create(pepper);
  if (!hasher.is_ok()) throw std::runtime_error(hasher.status().to_string());
  return std::move(*hasher);
}

}  // namespace

// What a verifier needs behind it, in construction order: the writer is
// there only because the last-use tracker's sink queues through it, which a
// verification from a known address never does.
struct VerificationFixture::Ledger {
  Ledger(projections::LedgerState state, const SecretHasher& hasher)
      : projection(std::move(state)),
        log(open_log(dir)),
        writer(*log, projection, clock),
        uses(writer),
        last_use(uses, projection, clock, std::chrono::seconds(60)),
        limiter(clock, 60),
        verifier(projection, hasher, last_use, limiter, clock, std::string(kDefaultTokenPrefix)) {}

  static std::unique_ptr<storage::RocksEventLog> open_log(const testing::TempDir& dir) {
    storage::RocksOptions options;
    options.sync = false;
    auto log = storage::RocksEventLog::open(dir.path() / "ledger", options);
    if (!log.is_ok()) throw std::runtime_error(log.status().to_string());
    return std::move(*log);
  }

  testing::TempDir dir;
  SystemClock clock;
  projections::LiveProjection projection;
  std::unique_ptr<storage::RocksEventLog> log;
  writer::GroupCommitWriter writer;
  server::WriterKeyUseSink uses;
  server::LastUseTracker last_use;
  server::FailureRateLimiter limiter;
  server::CredentialVerifier verifier;
};

VerificationFixture::VerificationFixture(std::size_t keys, std::string client_ip)
    : client_ip_(std::move(client_ip)), pepper_(32, 'p'), hasher_(hasher_of(pepper_)) {
  SeededRandom random(11);
  projections::LedgerState state;
  state.put_user(UserRecord{"bench", Privilege::kUser, false, false, "", 1});
  tokens_.reserve(keys);
  for (std::size_t i = 0; i < keys; ++i) {
    Token token = generate_token(kDefaultTokenPrefix, random);
    KeyRecord key;
    key.key_id = token.key_id;
    key.owner = "bench";
    key.name = "service " + std::to_string(i);
    key.secret_hash = hasher_.hash(token.key_id, token.secret);
    key.created_seq = i + 2;
    key.last_used_ip = client_ip_;
    key.last_used_at_ns = 1;  // a use on record, so the index holds its address
    state.put_key(std::move(key));
    tokens_.push_back(token.to_string());
  }
  ledger_ = std::make_unique<Ledger>(std::move(state), hasher_);
  // A running server has seen its keys before: the tracker's first sighting
  // of a key allocates an entry, which is not the steady state.
  for (const auto& token : tokens_)
    if (!verify(token)) throw std::runtime_error("a fixture token does not verify");
}

VerificationFixture::~VerificationFixture() = default;

bool VerificationFixture::verify(std::string_view token) {
  return ledger_->verifier.verify(token, client_ip_).is_ok();
}

double VerificationFixture::rate(double seconds) {
  constexpr std::size_t kBatch = 1024;
  std::uint64_t failures = 0;
  std::size_t done = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (std::size_t i = 0; i < kBatch; ++i) {
      if (!verify(tokens_[next_])) ++failures;
      next_ = next_ + 1 == tokens_.size() ? 0 : next_ + 1;
    }
    done += kBatch;
    elapsed = seconds_since(start);
  } while (elapsed < seconds);
  if (failures > 0) throw std::runtime_error("verifications failed in the benchmark loop");
  return static_cast<double>(done) / elapsed;
}

}  // namespace keyledger::bench
