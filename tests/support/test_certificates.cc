#include "tests/support/test_certificates.h"

#include <unistd.h>

#include <fstream>
#include <vector>

#include "tests/support/command_runner.h"

namespace keyledger::testing {
namespace {

constexpr const char* kOpenssl = "/usr/bin/openssl";

// Runs openssl with `args`; false with its output in `why` when it fails.
bool openssl(const std::vector<std::string>& args, std::string& why) {
  const CommandResult ran = run_command(kOpenssl, args);
  if (ran.exit_code == 0) return true;
  why = "openssl " + args.front() + " failed: " + ran.out + ran.err;
  return false;
}

}  // namespace

std::optional<TestCertificates> make_test_certificates(const std::filesystem::path& dir,
                                                       std::string& why) {
  if (::access(kOpenssl, X_OK) != 0) {
    why = "openssl is not installed (tools/setup.sh installs it)";
    return std::nullopt;
  }
  TestCertificates made{dir / "ca.pem", dir / "server.pem", dir / "server.key"};
  const std::string ca_key = (dir / "ca.key").string();
  const std::string request = (dir / "server.csr").string();
  const std::string extensions = (dir / "server.ext").string();
  std::ofstream(extensions) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                            << "extendedKeyUsage=serverAuth\n";
  // P-256 keys: quick to make, and what any TLS stack accepts.
  if (!openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ca_key, "-out", made.ca_file.string(), "-days", "1", "-subj",
                "/CN=keyledger test CA"},
               why))
    return std::nullopt;
  if (!openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                made.key_file.string(), "-out", request, "-subj", "/CN=127.0.0.1"},
               why))
    return std::nullopt;
  if (!openssl({"x509", "-req", "-in", request, "-CA", made.ca_file.string(), "-CAkey", ca_key,
                "-CAcreateserial", "-out", made.cert_file.string(), "-days", "1", "-extfile",
                extensions},
               why))
    return std::nullopt;
  std::filesystem::permissions(
      made.key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return made;
}

}  // namespace keyledger::testing
