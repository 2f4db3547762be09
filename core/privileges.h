// Every spelling of each privilege, in one table: its name (the API's JSON,
// the keyledger tool, audit lines), its value in stored events and records
// (events.capnp) and its value on the verify port (verify_protocol.capnp,
// where zero is `none`). The codecs look a privilege up here rather than
// each keeping a switch of its own, so the spellings cannot drift apart.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/enum_table.h"
#include "core/event.h"
#include "core/events.capnp.h"
#include "core/verify_protocol.capnp.h"

namespace keyledger {

struct PrivilegeCodes {
  Privilege privilege;
  std::string_view name;
  schema::Privilege stored;
  wire::Privilege on_wire;
};

// In Privilege's order (core/enum_table.h).
inline constexpr std::array<PrivilegeCodes, 3> kPrivileges = {{
    {Privilege::kUser, "user", schema::Privilege::USER, wire::Privilege::USER},
    {Privilege::kAuditor, "auditor", schema::Privilege::AUDITOR, wire::Privilege::AUDITOR},
    {Privilege::kAdmin, "admin", schema::Privilege::ADMIN, wire::Privilege::ADMIN},
}};
static_assert(covers_enum_in_order(kPrivileges, &PrivilegeCodes::privilege, Privilege::kAdmin));

// `privilege`'s entry. Every Privilege comes from this table or a checked
// decode, so a value outside the enum is a bug; rather than read past the
// table it gets the least privileged entry, "user" (as privilege_name()
// always answered).
constexpr const PrivilegeCodes& privilege_codes(Privilege privilege) {
  const auto index = static_cast<std::size_t>(privilege);
  if (index >= kPrivileges.size()) return kPrivileges[0];
  return kPrivileges[index];
}

// The privilege stored as `stored`; nullopt for a value this build does
// not know (written by a newer version, or damaged).
constexpr std::optional<Privilege> privilege_from_stored(schema::Privilege stored) {
  for (const PrivilegeCodes& codes : kPrivileges)
    if (codes.stored == stored) return codes.privilege;
  return std::nullopt;
}

// The privilege sent as `on_wire`; nullopt for `none` and for a value this
// build does not know.
constexpr std::optional<Privilege> privilege_from_wire(wire::Privilege on_wire) {
  for (const PrivilegeCodes& codes : kPrivileges)
    if (codes.on_wire == on_wire) return codes.privilege;
  return std::nullopt;
}

}  // namespace keyledger
