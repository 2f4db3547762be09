// Live keys of one user, each with a real token and its stored hash, and
// the server's CredentialVerifier over them: what the benchmarks that time
// verification in-process share. Every key already has a use on record
// from `client_ip`, and each has been verified once from it, so verifying
// from that address is the steady state of a running server (the use is
// recorded in memory; no event is queued).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/secret_hasher.h"
#include "server/verify/credential_verifier.h"

namespace keyledger::bench {

class VerificationFixture {
 public:
  VerificationFixture(std::size_t keys, std::string client_ip);
  ~VerificationFixture();

  // In creation order; all of one length (the token format fixes it).
  const std::vector<std::string>& tokens() const { return tokens_; }
  // The server's keyed hash, and the pepper it was made with.
  const SecretHasher& hasher() const { return hasher_; }
  const std::string& pepper() const { return pepper_; }

  // Thread-safe, like the server's. False if the token did not verify.
  bool verify(std::string_view token);

  // Verifications per second of the tokens in turn, on the calling thread,
  // for about `seconds`.
  double rate(double seconds);

 private:
  struct Ledger;
  std::string client_ip_;
  std::string pepper_;
  SecretHasher hasher_;
  std::vector<std::string> tokens_;
  std::unique_ptr<Ledger> ledger_;
  std::size_t next_ = 0;
};

}  // namespace keyledger::bench
