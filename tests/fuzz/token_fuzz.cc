// The API key token parser (core/token.h) on arbitrary text: never crashes,
// and whatever it accepts is exactly the text a Token prints back.
#include "core/token.h"
#include "tests/fuzz/fuzz_target.h"

using keyledger::fuzz::fuzz_check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = keyledger::fuzz::as_text(data, size);
  for (std::string_view prefix : {keyledger::kDefaultTokenPrefix, std::string_view("acme9")}) {
    auto token = keyledger::parse_token(text, prefix);
    if (!token.is_ok()) {
      fuzz_check(token.status().code() == keyledger::StatusCode::kUnauthenticated,
                 "a rejected token is kUnauthenticated");
      continue;
    }
    fuzz_check(token->to_string() == text, "an accepted token prints back as presented");
    fuzz_check(token->prefix == prefix, "an accepted token has the expected prefix");
    fuzz_check(keyledger::is_valid_key_id(token->key_id), "an accepted token has a valid key id");
  }
  // The prefix check and key id check take the same untrusted text.
  keyledger::validate_token_prefix(text.substr(0, 32)).ignore();
  (void)keyledger::is_valid_key_id(text);
  return 0;
}
