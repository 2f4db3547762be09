// A throwaway certificate authority and one server certificate it signed,
// made with the `openssl` command in a folder, for tests that run a TLS
// server on loopback (NATS over TLS, issue 20). The server certificate
// names 127.0.0.1 and localhost; everything is valid for one day.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace keyledger::testing {

struct TestCertificates {
  std::filesystem::path ca_file;    // the CA's certificate (PEM): what clients trust
  std::filesystem::path cert_file;  // the server's certificate (PEM)
  std::filesystem::path key_file;   // the server's private key (PEM, 0600)
};

// Makes them in `dir`; nullopt with `why` set when openssl is missing or
// fails (its output in `why`).
std::optional<TestCertificates> make_test_certificates(const std::filesystem::path& dir,
                                                       std::string& why);

}  // namespace keyledger::testing
