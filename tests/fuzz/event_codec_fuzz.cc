// Stored event bytes (core/event_codec.h) as they come from disk or a
// damaged copy: decoding never crashes, a decoded event survives a round
// trip through the encoder, and folding it into a state is safe.
#include "core/event_codec.h"
#include "projections/ledger_state.h"
#include "tests/fuzz/fuzz_target.h"

using keyledger::fuzz::fuzz_check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto event = keyledger::decode_event(keyledger::fuzz::as_text(data, size));
  if (!event.is_ok()) {
    fuzz_check(event.status().code() == keyledger::StatusCode::kCorruption,
               "undecodable bytes are kCorruption");
    return 0;
  }
  const std::string encoded = keyledger::encode_event(*event);
  auto again = keyledger::decode_event(encoded);
  fuzz_check(again.is_ok(), "a re-encoded event decodes");
  fuzz_check(*again == *event, "an event survives encode(decode(bytes))");
  // Corrupt but decodable events reach the fold in verify and replay.
  keyledger::projections::LedgerState state;
  keyledger::projections::apply_event(state, *event);
  keyledger::projections::apply_event(state, *event);
  (void)keyledger::event_type_name(event->payload);
  return 0;
}
