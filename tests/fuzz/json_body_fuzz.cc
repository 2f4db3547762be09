// JSON request bodies as the handlers read them: the strict object parser
// (server/http/json_body.h) with every handler's field set, then the same field
// accessors and value checks the handlers apply.
#include "core/event.h"
#include "core/password_hasher.h"
#include "core/text.h"
#include "server/http/json_body.h"
#include "tests/fuzz/fuzz_target.h"

namespace {

using keyledger::server::Json;
using keyledger::server::optional_bool;
using keyledger::server::optional_string;
using keyledger::server::parse_json_object;
using keyledger::server::required_string;

// Each handler's allowed fields (server/api_*.cc).
void read_body(std::string_view body, std::initializer_list<std::string_view> fields) {
  auto json = parse_json_object(body, fields);
  if (!json.is_ok()) {
    keyledger::fuzz::fuzz_check(!json.status().reason().empty(), "a rejected body has a reason");
    return;
  }
  keyledger::fuzz::fuzz_check(json->is_object(), "an accepted body is an object");
  for (std::string_view field : fields) {
    const std::string name(field);
    if (auto text = required_string(*json, name); text.is_ok()) {
      (void)keyledger::normalize_key_name(*text).is_ok();
      keyledger::validate_user_id(*text).ignore();
      keyledger::validate_password(*text).ignore();
      (void)keyledger::parse_privilege(*text);
    }
    if (auto text = optional_string(*json, name); text.is_ok() && *text)
      (void)keyledger::parse_privilege(**text);
    (void)optional_bool(*json, name).is_ok();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = keyledger::fuzz::as_text(data, size);
  read_body(body, {"name"});
  read_body(body, {"user", "password"});
  read_body(body, {"current_password", "new_password"});
  read_body(body, {"user", "password", "privilege"});
  read_body(body, {"privilege", "disabled", "locked"});
  return 0;
}
