// keyledger verify: re-reads the whole log, recomputes the hash chain and
// a fresh projection, and compares both with what is stored.
#include "core/hash.h"
#include "projections/stored_projection.h"
#include "tools/command_options.h"
#include "tools/commands.h"
#include "tools/exit_codes.h"
#include "tools/ledger_reader.h"

namespace keyledger::tools {
namespace {

struct VerifyOptions {
  std::string data = "./keyledger-data";
  std::string expect_head;
};

// The first record on which two states differ, or "".
std::string first_difference(const projections::LedgerState& stored,
                             const projections::LedgerState& rebuilt) {
  for (const auto& [id, user] : rebuilt.users()) {
    const UserRecord* other = stored.find_user(id);
    if (!other || !(*other == user)) return "user '" + id + "'";
  }
  std::string difference;
  rebuilt.for_each_key([&](const KeyRecord& key) {
    if (difference.empty() && stored.find_key(key.key_id) != key)
      difference = "key '" + key.key_id + "'";
  });
  if (!difference.empty()) return difference;
  for (const auto& [id, user] : stored.users())
    if (!rebuilt.find_user(id)) return "user '" + id + "' (not in the log)";
  stored.for_each_key([&](const KeyRecord& key) {
    if (difference.empty() && !rebuilt.find_key(key.key_id))
      difference = "key '" + key.key_id + "' (not in the log)";
  });
  return difference;
}

// The head line, and whether the log extends the head the caller expected.
int print_head(const ChainReport& chain, const std::optional<Hash256>& expected,
               bool extends_expected, const std::string& expected_text) {
  std::printf("head seq %llu hash %s\n", static_cast<unsigned long long>(chain.head.seq),
              to_hex(chain.head.hash).c_str());
  if (expected && !extends_expected) {
    std::printf("FAILED: the log does not extend the expected head %s\n", expected_text.c_str());
    return kExitCheckFailed;
  }
  if (expected) std::printf("the log extends the expected head\n");
  return kExitOk;
}

// Compares the stored projection with `rebuilt`, the fold of the verified
// log; prints the verdict. kExitOk when they are equal, or when an older
// build wrote the records (they cannot be compared with this build's fold;
// keyledgerd rebuilds them at its next start). A newer build's records are
// a failure: this build cannot vouch for them.
int check_stored_projection(const OpenedLedger& opened, const ChainReport& chain,
                            const projections::LedgerState& rebuilt) {
  // The stored projection says which event it includes; a projection that
  // claims another head is not the fold of this log, whatever its records.
  if (const LogHead claimed = opened.log->projection_head(); !(claimed == chain.head)) {
    std::printf(
        "FAILED: the stored projection is at seq %llu (hash %s) but the log's head is "
        "seq %llu (hash %s)\n",
        static_cast<unsigned long long>(claimed.seq), to_hex(claimed.hash).c_str(),
        static_cast<unsigned long long>(chain.head.seq), to_hex(chain.head.hash).c_str());
    return kExitCheckFailed;
  }
  const std::uint32_t version = opened.log->projection_version();
  if (version > projections::kProjectionVersion) {
    std::printf(
        "FAILED: the stored projection was written by a newer keyledger (projection version %u, "
        "this one knows up to %u); verify it with that version\n",
        version, projections::kProjectionVersion);
    return kExitCheckFailed;
  }
  if (version < projections::kProjectionVersion) {
    std::printf("ok: %llu events, hash chain intact\n",
                static_cast<unsigned long long>(chain.events));
    std::printf(
        "note: the stored projection was written by an older keyledger (projection version %u, "
        "this one's is %u) and is not compared; keyledgerd rebuilds it from the log when it "
        "starts\n",
        version, projections::kProjectionVersion);
    return kExitOk;
  }
  auto stored = projections::load_stored_state(*opened.log);
  if (!stored.is_ok()) {
    std::printf("FAILED: stored projection: %s\n", stored.status().message().c_str());
    return kExitCheckFailed;
  }
  if (std::string difference = first_difference(*stored, rebuilt); !difference.empty()) {
    std::printf("FAILED: the stored projection differs from a replay of the log at %s\n",
                difference.c_str());
    return kExitCheckFailed;
  }
  std::printf("ok: %llu events, hash chain intact, stored projection equals replay\n",
              static_cast<unsigned long long>(chain.events));
  return kExitOk;
}

int run_verify(const VerifyOptions& options) {
  // --expect-head's validator has refused a text that is not a hash.
  std::optional<Hash256> expected;
  if (!options.expect_head.empty()) expected = hash_from_hex(options.expect_head);
  auto opened = open_ledger_for_reading(options.data, /*check_head=*/false);
  if (!opened.log) return opened.exit_code;
  Progress progress("verifying", opened.log->head().seq);
  projections::LedgerState rebuilt;
  bool extends_expected = false;
  auto chain = verify_chain(*opened.log, [&](const Event& event) {
    progress.tick(event.seq);
    projections::apply_event(rebuilt, event);
    if (expected && event.prev_hash == *expected) extends_expected = true;
  });
  if (!chain.is_ok()) return report_error("reading the log", chain.status());
  if (!chain->ok()) {
    std::printf("FAILED: event %llu: %s\n", static_cast<unsigned long long>(chain->problem->seq),
                chain->problem->description.c_str());
    return kExitCheckFailed;
  }
  if (expected && chain->head.hash == *expected) extends_expected = true;
  if (int checked = check_stored_projection(opened, *chain, rebuilt); checked != kExitOk)
    return checked;
  return print_head(*chain, expected, extends_expected, options.expect_head);
}

constexpr CommandText kVerifyText = {
    "verify", "Prove the log intact: hash chain, sequence, and stored projection equal to replay",
    R"(Prints the head seq and hash: the fingerprint of the whole history. Record it; later,
--expect-head proves the log still extends it (nothing before it was changed).
Examples:
  keyledger verify --data ./keyledger-data
  keyledger verify --expect-head 3f5a…(64 hex digits))"};

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* command = add_ledger_command(app, kVerifyText, options->data);
  command
      ->add_option("--expect-head", options->expect_head,
                   "A head hash recorded earlier that the log must still extend")
      ->check(hash_validator());
  command->callback([options, &exit_code] { exit_code = run_verify(*options); });
}

}  // namespace keyledger::tools
