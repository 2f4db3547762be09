// Tables with one entry per enumerator of an enum, in the enum's order, so
// that an entry is found by indexing and a compile-time check keeps the
// table whole: status code names, HTTP statuses, privilege spellings.
#pragma once

#include <cstddef>

namespace keyledger {

// Whether `table[i].*key` is Enum(i) for every entry, through `last` (the
// enum's last enumerator) and no further. For a static_assert.
template <typename Table, typename Entry, typename Enum>
constexpr bool covers_enum_in_order(const Table& table, Enum Entry::*key, Enum last) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].*key != static_cast<Enum>(i)) return false;
  return table.size() == static_cast<std::size_t>(last) + 1;
}

// `value`'s entry, or null for a value past the table (one cast from a
// number that no enumerator has).
template <typename Table, typename Enum>
constexpr const typename Table::value_type* enum_entry(const Table& table, Enum value) {
  const auto index = static_cast<std::size_t>(value);
  return index < table.size() ? &table[index] : nullptr;
}

}  // namespace keyledger
