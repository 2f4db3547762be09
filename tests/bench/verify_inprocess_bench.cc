// In-process verification on one core (parse, checksum, HMAC, lookup,
// constant-time compare, last-use record) against the raw rate of
// HMAC-SHA-256 over an input of the token's size with a reused OpenSSL
// context, measured interleaved in the same run; beside it, the same HMAC
// as SecretHasher computes it. Prints one Markdown table.
//
//   keyledger_bench_verify_inprocess [--keys N] [--runs R] [--seconds S]
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sched.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory_resource>
#include <numeric>

#include "core/huge_page_memory.h"
#include "core/token.h"
#include "tests/bench/bench_common.h"
#include "tests/bench/verification_fixture.h"

namespace {

using namespace keyledger;
using bench::seconds_since;

constexpr const char* kClientIp = "10.1.2.3";

void pin_self(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

// Runs `batch` (which does `batch_size` operations) until `seconds` passed;
// returns operations per second.
template <typename Batch>
double rate_of(double seconds, std::size_t batch_size, Batch batch) {
  const auto start = std::chrono::steady_clock::now();
  std::size_t done = 0;
  double elapsed = 0;
  do {
    batch();
    done += batch_size;
    elapsed = seconds_since(start);
  } while (elapsed < seconds);
  return static_cast<double>(done) / elapsed;
}

// The reference: HMAC-SHA-256 of `input` with one context re-initialised per
// call (OpenSSL's fastest way for small inputs).
class RawHmac {
 public:
  explicit RawHmac(const std::string& key) {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    context_ = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    EVP_MAC_init(context_, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params);
  }
  ~RawHmac() { EVP_MAC_CTX_free(context_); }
  void hash(const std::string& input) {
    EVP_MAC_init(context_, nullptr, 0, nullptr);
    EVP_MAC_update(context_, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    unsigned char out[32];
    std::size_t length = 0;
    EVP_MAC_final(context_, out, &length, sizeof out);
  }

 private:
  EVP_MAC_CTX* context_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"In-process verification against raw HMAC-SHA-256 of the same input size"};
  std::size_t keys = 1'000'000;
  int runs = 5;
  double seconds = 1.0;
  app.add_option("--keys", keys, "Live keys in the projection")->capture_default_str();
  app.add_option("--runs", runs, "Interleaved runs; medians are reported")->capture_default_str();
  app.add_option("--seconds", seconds, "Length of each measurement")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::fprintf(stderr, "building %zu keys …\n", keys);
  bench::VerificationFixture fixture(keys, kClientIp);
  const SecretHasher& hasher = fixture.hasher();
  // Presented in a shuffled order, so lookups miss the CPU caches as they
  // would with many API clients.
  std::vector<std::uint32_t> order(keys);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  // The tokens side by side in that order: a server reads each token from
  // the request it has just received (in cache), so the benchmark should
  // not charge a cache and TLB miss for fetching the token itself. Read in
  // sequence, the CPU's prefetcher brings each token in ahead of time; in
  // huge pages, like the tables, so reading them costs no TLB misses. Every
  // token has the same length (the format fixes it), so the n-th starts at
  // n times that length: an array of a million views to them, 16 MB in
  // 4 KiB pages, cost the loop 10-25% more time, varying from run to run.
  const std::size_t token_size = fixture.tokens()[0].size();
  HugePageResource huge_pages;
  std::pmr::string presented_text(&huge_pages);
  presented_text.reserve(keys * token_size);
  for (std::uint32_t index : order) {
    if (fixture.tokens()[index].size() != token_size) {
      std::fprintf(stderr, "bench: tokens differ in length\n");
      return 1;
    }
    presented_text += fixture.tokens()[index];
  }

  pin_self(bench::cpu_plan().server);
  std::uint64_t failures = 0;
  RawHmac raw(fixture.pepper());
  const std::string same_size_input(fixture.tokens()[0].size(), 'x');
  constexpr std::size_t kBatch = 4096;
  std::size_t next = 0;
  // The same HMAC computed as keyledger computes it (SecretHasher: the
  // pepper's pad blocks hashed once), over a message of the same size: key
  // id, ':' and the rest. Not the reference (the is the library
  // call), but printed beside it so the page shows what the hashing alone
  // costs when done this way.
  const std::string_view own_key_id = std::string_view(same_size_input).substr(0, kKeyIdLength);
  const std::string_view own_secret = std::string_view(same_size_input).substr(kKeyIdLength + 1);
  Hash256 own_last{};
  bench::Figures hmac_rates, own_hmac_rates, verify_rates;
  for (int run = 0; run < runs; ++run) {
    hmac_rates.add(rate_of(seconds, kBatch, [&] {
      for (std::size_t i = 0; i < kBatch; ++i) raw.hash(same_size_input);
    }));
    own_hmac_rates.add(rate_of(seconds, kBatch, [&] {
      for (std::size_t i = 0; i < kBatch; ++i) own_last = hasher.hash(own_key_id, own_secret);
    }));
    verify_rates.add(rate_of(seconds, kBatch, [&] {
      for (std::size_t i = 0; i < kBatch; ++i) {
        const std::string_view token(presented_text.data() + next * token_size, token_size);
        next = next + 1 == keys ? 0 : next + 1;
        if (!fixture.verify(token)) ++failures;
      }
    }));
    std::fprintf(stderr, "run %d: hmac %.0f/s, own hmac %.0f/s, verify %.0f/s\n", run + 1,
                 hmac_rates.runs.back(), own_hmac_rates.runs.back(), verify_rates.runs.back());
  }
  // A hash the loop computed must come out right, so none was skipped.
  if (own_last != hasher.hash(own_key_id, own_secret)) return 1;
  if (failures > 0) {
    std::fprintf(stderr, "bench: %llu verifications failed\n",
                 static_cast<unsigned long long>(failures));
    return 1;
  }

  bench::Table table({"what (1 core)", "per second, median (min–max)", "ratio"});
  table.add_row({"raw HMAC-SHA-256 of " + std::to_string(same_size_input.size()) +
                     " bytes, reused context (reference)",
                 bench::format_figures(hmac_rates), "100%"});
  table.add_row({"HMAC-SHA-256 of " + std::to_string(same_size_input.size()) +
                     " bytes as keyledger computes it (pad blocks hashed once)",
                 bench::format_figures(own_hmac_rates),
                 bench::format_ratio(own_hmac_rates.median(), hmac_rates.median())});
  table.add_row({"keyledger verify (parse, checksum, HMAC, lookup, compare), " +
                     bench::format_number(static_cast<double>(keys)) + " keys",
                 bench::format_figures(verify_rates),
                 bench::format_ratio(verify_rates.median(), hmac_rates.median())});
  std::printf("%s\n", table.to_markdown().c_str());
  const bool met =
      verify_rates.median() >= 1e6 && verify_rates.median() >= 0.5 * hmac_rates.median();
  std::printf("Target (>= 1,000,000 verifies/s per core and >= 50%% of raw HMAC): %s.\n",
              met ? "met" : "missed");
  return 0;
}
