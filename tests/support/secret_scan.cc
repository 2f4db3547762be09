#include "tests/support/secret_scan.h"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/files.h"

namespace keyledger::testing {
namespace {

std::string hex(std::string_view bytes, const char* digits) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

// The part of base64(prefix ‖ secret ‖ anything) that depends on the secret
// alone, for a prefix of `skew` bytes: characters of whole 3-byte groups
// made only of secret bytes.
std::string base64_core(std::string_view secret, std::size_t skew) {
  const std::size_t skip = (3 - skew) % 3;  // secret bytes that finish the prefix's group
  if (secret.size() <= skip) return {};
  std::string_view aligned = secret.substr(skip);
  aligned = aligned.substr(0, aligned.size() / 3 * 3);
  return base64(aligned);
}

std::string url_alphabet(std::string text) {
  for (auto& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

}  // namespace

void SecretScanner::add(const std::string& label, const std::string& secret) {
  if (secret.size() < kMinSecretBytes)
    throw std::invalid_argument("secret '" + label + "' is too short to scan for reliably");
  const std::size_t index = labels_.size();
  labels_.push_back(label);
  add_pattern(secret, index, "plain");
  add_pattern(hex(secret, "0123456789abcdef"), index, "hex");
  add_pattern(hex(secret, "0123456789ABCDEF"), index, "HEX");
  for (std::size_t skew = 0; skew < 3; ++skew) {
    std::string core = base64_core(secret, skew);
    if (core.size() < kKeyBytes) continue;
    add_pattern(core, index, "base64");
    std::string url = url_alphabet(core);
    if (url != core) add_pattern(url, index, "base64url");
  }
}

void SecretScanner::add_pattern(std::string bytes, std::size_t label, std::string form) {
  by_prefix_[bytes.substr(0, kKeyBytes)].push_back(patterns_.size());
  patterns_.push_back({std::move(bytes), label, std::move(form)});
}

std::vector<SecretFinding> SecretScanner::scan(const std::string& where, std::string_view bytes) {
  ++places_scanned_;
  bytes_scanned_ += bytes.size();
  std::vector<SecretFinding> findings;
  if (bytes.size() < kKeyBytes) return findings;
  std::string key(kKeyBytes, '\0');
  for (std::size_t at = 0; at + kKeyBytes <= bytes.size(); ++at) {
    key.assign(bytes.data() + at, kKeyBytes);
    auto candidates = by_prefix_.find(key);
    if (candidates == by_prefix_.end()) continue;
    for (std::size_t index : candidates->second) {
      const Pattern& pattern = patterns_[index];
      if (bytes.substr(at, pattern.bytes.size()) == pattern.bytes)
        findings.push_back({where, labels_[pattern.label], pattern.form});
    }
  }
  return findings;
}

std::vector<SecretFinding> SecretScanner::scan_tree(const std::filesystem::path& folder) {
  std::vector<SecretFinding> findings;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    auto found = scan("file " + entry.path().string(), read_file(entry.path()));
    findings.insert(findings.end(), found.begin(), found.end());
  }
  return findings;
}

std::string describe(const std::vector<SecretFinding>& findings) {
  std::string out;
  for (const auto& finding : findings)
    out += finding.where + ": " + finding.secret + " (" + finding.form + ")\n";
  return out;
}

}  // namespace keyledger::testing
