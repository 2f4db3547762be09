// Looks for secrets (API tokens, passwords, session ids) in bytes, files and
// folders, spelled plainly, in hex (either case) and in base64 (standard and
// URL alphabets, at each of the three byte alignments, so a secret inside a
// longer encoded blob is found too). For the secrets tests: after a scripted
// history, nothing that was ever issued may be found anywhere.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace keyledger::testing {

struct SecretFinding {
  std::string where;   // e.g. "file data/ledger/000012.log" or "stdout of audit --format json"
  std::string secret;  // the label given to add(), never the secret itself
  std::string form;    // "plain", "hex", "HEX", "base64", "base64url"
};

class SecretScanner {
 public:
  // Every secret must be at least kMinSecretBytes long, so that a hit is
  // never chance.
  static constexpr std::size_t kMinSecretBytes = 16;

  // Adds a secret under `label`.
  void add(const std::string& label, const std::string& secret);

  std::vector<SecretFinding> scan(const std::string& where, std::string_view bytes);
  // Every regular file under `folder`, recursively.
  std::vector<SecretFinding> scan_tree(const std::filesystem::path& folder);

  std::size_t secret_count() const { return labels_.size(); }
  std::size_t pattern_count() const { return patterns_.size(); }
  std::uint64_t bytes_scanned() const { return bytes_scanned_; }
  std::uint64_t places_scanned() const { return places_scanned_; }

 private:
  struct Pattern {
    std::string bytes;
    std::size_t label;
    std::string form;
  };
  void add_pattern(std::string bytes, std::size_t label, std::string form);

  // Patterns are found by their first kKeyBytes bytes: one hash lookup per
  // position of the scanned bytes, whatever the number of patterns.
  static constexpr std::size_t kKeyBytes = 12;
  std::vector<std::string> labels_;
  std::vector<Pattern> patterns_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_prefix_;
  std::uint64_t bytes_scanned_ = 0;
  std::uint64_t places_scanned_ = 0;
};

// "where: label (form)" lines for a failure message.
std::string describe(const std::vector<SecretFinding>& findings);

}  // namespace keyledger::testing
