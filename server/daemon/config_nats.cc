#include "server/daemon/config_nats.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "server/replication/jetstream_stream.h"
#include "server/replication/nats_connection.h"

namespace keyledger::server {
namespace {

constexpr std::size_t kMaxPasswordBytes = 1024;

Status bad_flag(const std::string& message) { return invalid_argument(Reason::kBadFlag, message); }

// The password in `path`, without a final line break.
StatusOr<std::string> read_password_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
    return bad_flag("--nats-password-file: " + path + " is not a readable file");
  if ((info.st_mode & 077) != 0)
    return bad_flag("--nats-password-file: " + path +
                    " may be read or changed by other users; make it 0600 (chmod 600)");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string password = text.str();
  if (!in && !in.eof()) return bad_flag("--nats-password-file: " + path + " cannot be read");
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  if (password.empty()) return bad_flag("--nats-password-file: " + path + " is empty");
  if (password.size() > kMaxPasswordBytes)
    return bad_flag("--nats-password-file: " + path + " holds more than 1 KiB");
  return password;
}

}  // namespace

void add_nats_flags(CLI::App& app, ServerConfig& config, NatsFlags& flags) {
  flags.nats = app.add_option("--nats", flags.urls,
                              "Replicate over NATS JetStream: every server of the NATS cluster, "
                              "URL[,URL…] (nats://HOST:PORT or tls://HOST:PORT); off unless given")
                   ->envname("KEYLEDGER_NATS");
  flags.stream = app.add_option("--nats-stream", config.nats.stream,
                                "The JetStream stream holding the ledger's events (letters, "
                                "digits, - and _); its subject is keyledger.STREAM.events")
                     ->envname("KEYLEDGER_NATS_STREAM")
                     ->capture_default_str();
  flags.user = app.add_option("--nats-user", config.nats.user,
                              "The NATS user to connect as (with --nats-password-file); "
                              "without it the node connects anonymously and warns")
                   ->envname("KEYLEDGER_NATS_USER");
  app.add_option("--nats-password-file", flags.password_file,
                 "File holding the NATS user's password (0600, like the pepper; never logged)")
      ->envname("KEYLEDGER_NATS_PASSWORD_FILE");
  flags.ca = app.add_option("--nats-ca", config.nats.ca_file,
                            "PEM file of the CA that signed the NATS servers' certificates, for "
                            "tls:// URLs (default: the system's CAs)")
                 ->envname("KEYLEDGER_NATS_CA")
                 ->check(CLI::ExistingFile);
  flags.replicas = app.add_option("--nats-replicas", config.nats.replicas,
                                  "Copies of the stream when the leader creates it, 1 to 5: 3 "
                                  "for a NATS cluster of three, 1 for a single NATS server (an "
                                  "existing stream keeps its own)")
                       ->envname("KEYLEDGER_NATS_REPLICAS")
                       ->capture_default_str();
}

Status finish_nats_config(const NatsFlags& flags, ServerConfig& config) {
  const bool user_given = flags.user->count() > 0 || !config.nats.user.empty();
  const bool password_given = !flags.password_file.empty();
  if (flags.urls.empty() && flags.nats->count() == 0) {
    if (flags.stream->count() > 0 || user_given || password_given || !config.nats.ca_file.empty() ||
        flags.replicas->count() > 0)
      return bad_flag(
          "--nats-stream, --nats-user, --nats-password-file, --nats-ca and --nats-replicas need "
          "--nats");
    return Status::ok();
  }
  auto urls = replication::parse_nats_urls(flags.urls);
  if (!urls.is_ok()) return urls.status();
  config.nats.urls = std::move(*urls);
  if (!replication::valid_stream_name(config.nats.stream))
    return bad_flag("--nats-stream must be 1 to 64 letters, digits, '-' or '_'");
  // JetStream keeps at most five copies of a stream.
  if (config.nats.replicas < 1 || config.nats.replicas > 5)
    return bad_flag("--nats-replicas must be 1 to 5, got " + std::to_string(config.nats.replicas));
  if (user_given != password_given)
    return bad_flag("--nats-user and --nats-password-file go together");
  if (user_given && config.nats.user.empty()) return bad_flag("--nats-user is empty");
  if (password_given) {
    auto password = read_password_file(flags.password_file);
    if (!password.is_ok()) return password.status();
    config.nats.password = std::move(*password);
  }
  return Status::ok();
}

}  // namespace keyledger::server
