#include "core/privileges.h"

#include <catch2/catch.hpp>

using namespace keyledger;

namespace {
constexpr Privilege kEveryPrivilege[] = {Privilege::kUser, Privilege::kAuditor, Privilege::kAdmin};
}  // namespace

TEST_CASE("every privilege comes back from its name, its stored value and its wire value",
          "[core][privileges]") {
  for (const Privilege privilege : kEveryPrivilege) {
    const PrivilegeCodes& codes = privilege_codes(privilege);
    CHECK(codes.privilege == privilege);
    CHECK(parse_privilege(privilege_name(privilege)) == privilege);
    CHECK(privilege_from_stored(codes.stored) == privilege);
    CHECK(privilege_from_wire(codes.on_wire) == privilege);
  }
}

TEST_CASE("the privileges keep their names and their stored and wire values",
          "[core][privileges]") {
  // Stored events and deployed clients read these values: they never change.
  CHECK(privilege_name(Privilege::kUser) == "user");
  CHECK(privilege_name(Privilege::kAuditor) == "auditor");
  CHECK(privilege_name(Privilege::kAdmin) == "admin");
  CHECK(privilege_codes(Privilege::kUser).stored == schema::Privilege::USER);
  CHECK(privilege_codes(Privilege::kAuditor).stored == schema::Privilege::AUDITOR);
  CHECK(privilege_codes(Privilege::kAdmin).stored == schema::Privilege::ADMIN);
  CHECK(privilege_codes(Privilege::kUser).on_wire == wire::Privilege::USER);
  CHECK(privilege_codes(Privilege::kAuditor).on_wire == wire::Privilege::AUDITOR);
  CHECK(privilege_codes(Privilege::kAdmin).on_wire == wire::Privilege::ADMIN);
}

// Caught at compile time too: reading past the table is not a constant.
static_assert(privilege_codes(static_cast<Privilege>(3)).privilege == Privilege::kUser);

TEST_CASE("a value outside Privilege gets the user entry, not a read past the table",
          "[core][privileges]") {
  for (const int value : {3, 4, 1000, -1}) {
    const PrivilegeCodes& codes = privilege_codes(static_cast<Privilege>(value));
    CHECK(&codes == &kPrivileges[0]);
    CHECK(codes.name == "user");
    CHECK(privilege_name(static_cast<Privilege>(value)) == "user");
  }
}

TEST_CASE("a name, stored value or wire value of no privilege gives none", "[core][privileges]") {
  for (const char* name : {"", "User", "root", "admin ", "none"})
    CHECK_FALSE(parse_privilege(name));
  CHECK_FALSE(privilege_from_stored(static_cast<schema::Privilege>(3)));
  CHECK_FALSE(privilege_from_stored(static_cast<schema::Privilege>(0xffff)));
  CHECK_FALSE(privilege_from_wire(wire::Privilege::NONE));
  CHECK_FALSE(privilege_from_wire(static_cast<wire::Privilege>(4)));
}
