// Validation of the human-entered text the ledger stores (key names, user
// ids, IP addresses), and the splitting and trimming that every parser of
// lists, headers and fields uses. Pure functions; no locale involved.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

#include "core/status.h"

namespace keyledger {

inline constexpr std::size_t kMaxKeyNameCharacters = 100;
inline constexpr std::size_t kMaxUserIdLength = 64;

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// True if the text holds a C0 or C1 control character or DEL. Assumes valid
// UTF-8.
bool has_control_characters(std::string_view text);

// Number of code points. Assumes valid UTF-8.
std::size_t count_code_points(std::string_view text);

// Removes leading and trailing white space (ASCII and the Unicode space
// separators). Assumes valid UTF-8.
std::string_view trim_white_space(std::string_view text);

// `text` without the bytes of `characters` at its start, its end, or both
// (e.g. " \t", HTTP's optional white space): byte sets, not Unicode; see
// trim_white_space for that. Views into `text`.
std::string_view trim_leading(std::string_view text, std::string_view characters);
std::string_view trim_trailing(std::string_view text, std::string_view characters);
std::string_view trim(std::string_view text, std::string_view characters);

// The pieces of a text between its separators (any byte of a set), as
// split() and split_from_end() return them: n separators make n + 1 pieces,
// empty ones included ("a,,b" gives "a", "", "b"; "a," gives "a", ""; ""
// gives one empty piece), so a caller that wants no empty pieces skips them.
// Each piece is a view into the text; splitting allocates nothing. The text
// must outlive the pieces.
class SplitPieces {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;

    Iterator() = default;  // past the last piece
    std::string_view operator*() const { return piece_; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      advance();
      return before;
    }
    bool operator==(const Iterator& other) const {
      return done_ == other.done_ && (done_ || (piece_.data() == other.piece_.data() &&
                                                piece_.size() == other.piece_.size()));
    }

   private:
    friend class SplitPieces;
    Iterator(std::string_view text, std::string_view separators, bool from_end);
    void advance();

    std::string_view rest_;  // what is left to split
    std::string_view piece_;
    std::string_view separators_;
    bool from_end_ = false;
    bool last_taken_ = false;  // rest_ held no separator: piece_ was the last one
    bool done_ = true;
  };

  SplitPieces(std::string_view text, std::string_view separators, bool from_end)
      : text_(text), separators_(separators), from_end_(from_end) {}
  Iterator begin() const { return Iterator(text_, separators_, from_end_); }
  Iterator end() const { return {}; }

 private:
  std::string_view text_;
  std::string_view separators_;
  bool from_end_;
};

// The pieces of `text` between the bytes of `separators`, first to last
// (split("a,b", ",") gives "a", "b").
SplitPieces split(std::string_view text, std::string_view separators);
// The same pieces, last to first (split_from_end("a,b", ",") gives "b", "a").
SplitPieces split_from_end(std::string_view text, std::string_view separators);

// ASCII case-insensitive comparison (HTTP header values such as media types
// and auth schemes); bytes above 127 compare as they are.
bool equals_ignoring_case(std::string_view a, std::string_view b);
bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);

// A key name after trimming: 1..100 code points of valid UTF-8 without
// control characters or invisible direction overrides (which could make one
// name look like another). Returns the trimmed name.
StatusOr<std::string> normalize_key_name(std::string_view name);

// A user id: 1..64 characters of [a-z0-9._-], starting with a letter or
// digit. "system" is reserved for events the server causes itself.
Status validate_user_id(std::string_view user_id);

// An IPv4 or IPv6 address in text form (as the socket reports it).
bool is_valid_ip_address(std::string_view address);

}  // namespace keyledger
