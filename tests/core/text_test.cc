#include "core/text.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

using namespace keyledger;
using namespace std::string_literals;

namespace {

std::string repeat(std::string_view unit, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += unit;
  return out;
}

// "ok:<value>" or "<code>/<reason>", so a failed CHECK prints both sides.
std::string outcome(const StatusOr<std::string>& result) {
  if (result.is_ok()) return "ok:" + *result;
  return std::string(status_code_name(result.status().code())) + "/" + result.status().reason();
}

std::string outcome(const Status& status) {
  if (status.is_ok()) return "ok";
  return std::string(status_code_name(status.code())) + "/" + status.reason();
}

}  // namespace

// ---------------------------------------------------------------- is_valid_utf8

TEST_CASE("is_valid_utf8 accepts ASCII and well-formed multibyte sequences", "[core][text]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("hello, world"));
  CHECK(is_valid_utf8("\x7f"));
  CHECK(is_valid_utf8("\0"s));
  CHECK(is_valid_utf8("caf\xc3\xa9"));               // U+00E9, 2 bytes
  CHECK(is_valid_utf8("\xe2\x82\xac"));              // U+20AC, 3 bytes
  CHECK(is_valid_utf8("\xf0\x9f\x98\x80"));          // U+1F600, 4 bytes
  CHECK(is_valid_utf8("\xe6\x97\xa5\xe6\x9c\xac"));  // two CJK characters
  CHECK(is_valid_utf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"));
}

TEST_CASE("is_valid_utf8 accepts the boundary code points of each sequence length",
          "[core][text]") {
  CHECK(is_valid_utf8("\xc2\x80"));          // U+0080, smallest 2-byte
  CHECK(is_valid_utf8("\xdf\xbf"));          // U+07FF, largest 2-byte
  CHECK(is_valid_utf8("\xe0\xa0\x80"));      // U+0800, smallest 3-byte
  CHECK(is_valid_utf8("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xee\x80\x80"));      // U+E000, just above the surrogates
  CHECK(is_valid_utf8("\xef\xbf\xbf"));      // U+FFFF
  CHECK(is_valid_utf8("\xf0\x90\x80\x80"));  // U+10000, smallest 4-byte
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the largest code point
}

TEST_CASE("is_valid_utf8 rejects overlong encodings", "[core][text]") {
  CHECK_FALSE(is_valid_utf8("\xc0\x80"));          // U+0000 in 2 bytes
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // '/' in 2 bytes
  CHECK_FALSE(is_valid_utf8("\xc1\xbf"));          // U+007F in 2 bytes
  CHECK_FALSE(is_valid_utf8("\xe0\x80\x80"));      // U+0000 in 3 bytes
  CHECK_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // '/' in 3 bytes
  CHECK_FALSE(is_valid_utf8("\xe0\x9f\xbf"));      // U+07FF in 3 bytes
  CHECK_FALSE(is_valid_utf8("\xf0\x80\x80\x80"));  // U+0000 in 4 bytes
  CHECK_FALSE(is_valid_utf8("\xf0\x8f\xbf\xbf"));  // U+FFFF in 4 bytes
  CHECK_FALSE(is_valid_utf8("ok\xc0\x80ok"));
}

TEST_CASE("is_valid_utf8 rejects UTF-16 surrogates", "[core][text]") {
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // U+D800
  CHECK_FALSE(is_valid_utf8("\xed\xaf\xbf"));  // U+DBFF
  CHECK_FALSE(is_valid_utf8("\xed\xb0\x80"));  // U+DC00
  CHECK_FALSE(is_valid_utf8("\xed\xbf\xbf"));  // U+DFFF
  // A surrogate pair encoded as two 3-byte sequences (CESU-8).
  CHECK_FALSE(is_valid_utf8("\xed\xa0\xbd\xed\xb8\x80"));
}

TEST_CASE("is_valid_utf8 rejects code points above U+10FFFF and invalid lead bytes",
          "[core][text]") {
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // U+110000
  CHECK_FALSE(is_valid_utf8("\xf4\xbf\xbf\xbf"));
  CHECK_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xf7\xbf\xbf\xbf"));
  CHECK_FALSE(is_valid_utf8("\xf8\x88\x80\x80\x80"));      // old 5-byte form
  CHECK_FALSE(is_valid_utf8("\xfc\x84\x80\x80\x80\x80"));  // old 6-byte form
  CHECK_FALSE(is_valid_utf8("\xfe"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xfe\xff"));  // a UTF-16 byte order mark
}

TEST_CASE("is_valid_utf8 rejects sequences truncated at the end of the text", "[core][text]") {
  CHECK_FALSE(is_valid_utf8("\xc3"));
  CHECK_FALSE(is_valid_utf8("\xe2"));
  CHECK_FALSE(is_valid_utf8("\xe2\x82"));
  CHECK_FALSE(is_valid_utf8("\xf0"));
  CHECK_FALSE(is_valid_utf8("\xf0\x9f"));
  CHECK_FALSE(is_valid_utf8("\xf0\x9f\x98"));
  CHECK_FALSE(is_valid_utf8("abc\xc3"));
  CHECK_FALSE(is_valid_utf8("abc\xe2\x82"));
  CHECK_FALSE(is_valid_utf8("abc\xf0\x9f\x98"));
  // Every proper prefix of a multibyte character is invalid.
  const std::string emoji = "\xf0\x9f\x98\x80";
  for (std::size_t length = 1; length < emoji.size(); ++length)
    CHECK_FALSE(is_valid_utf8("x" + emoji.substr(0, length)));
}

TEST_CASE("is_valid_utf8 rejects stray and missing continuation bytes", "[core][text]") {
  CHECK_FALSE(is_valid_utf8("\x80"));
  CHECK_FALSE(is_valid_utf8("\xbf"));
  CHECK_FALSE(is_valid_utf8("a\x80z"));
  CHECK_FALSE(is_valid_utf8("\xc3\xa9\xa9"));  // one continuation too many
  CHECK_FALSE(is_valid_utf8("\x80\x80\x80\x80"));
  // A lead byte followed by something that is not a continuation byte.
  CHECK_FALSE(is_valid_utf8("\xc3\x41"));
  CHECK_FALSE(is_valid_utf8("\xc3\xc3\xa9"));
  CHECK_FALSE(is_valid_utf8("\xe2\x28\xa1"));
  CHECK_FALSE(is_valid_utf8("\xe2\x82\x41"));
  CHECK_FALSE(is_valid_utf8("\xf0\x9f\x41\x80"));
  CHECK_FALSE(is_valid_utf8("\xf0\x9f\x98\x41"));
  CHECK_FALSE(is_valid_utf8("\xc3\0"s));
}

// ---------------------------------------------------------- has_control_characters

TEST_CASE("has_control_characters finds every C0 control and DEL", "[core][text]") {
  for (int c = 0; c < 0x20; ++c) {
    INFO("byte " << c);
    CHECK(has_control_characters(std::string(1, static_cast<char>(c))));
    CHECK(has_control_characters("abc" + std::string(1, static_cast<char>(c)) + "def"));
  }
  CHECK(has_control_characters("\x7f"));
  CHECK(has_control_characters("delete\x7fme"));
}

TEST_CASE("has_control_characters finds C1 controls such as U+0085", "[core][text]") {
  CHECK(has_control_characters("\xc2\x80"));     // U+0080
  CHECK(has_control_characters("a\xc2\x85z"));   // U+0085 NEXT LINE
  CHECK(has_control_characters("\xc2\x9b"));     // U+009B CSI
  CHECK(has_control_characters("end\xc2\x9f"));  // U+009F
}

TEST_CASE("has_control_characters ignores printable text", "[core][text]") {
  CHECK_FALSE(has_control_characters(""));
  CHECK_FALSE(has_control_characters(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~"));
  CHECK_FALSE(has_control_characters("\xc2\xa0"));  // U+00A0, just after the C1 block
  CHECK_FALSE(has_control_characters("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(has_control_characters("\xe3\x80\x80"));  // U+3000
}

// --------------------------------------------------------------- count_code_points

TEST_CASE("count_code_points counts characters, not bytes", "[core][text]") {
  CHECK(count_code_points("") == 0);
  CHECK(count_code_points("abc") == 3);
  CHECK(count_code_points("caf\xc3\xa9") == 4);
  CHECK(count_code_points("\xe2\x82\xac\xe2\x82\xac") == 2);
  CHECK(count_code_points("\xf0\x9f\x98\x80!") == 2);
}

// ---------------------------------------------------------------- trim_white_space

TEST_CASE("trim_white_space removes leading and trailing ASCII white space", "[core][text]") {
  CHECK(trim_white_space("") == "");
  CHECK(trim_white_space("abc") == "abc");
  CHECK(trim_white_space("  abc  ") == "abc");
  CHECK(trim_white_space("\t\n\v\f\r abc \r\n\t") == "abc");
  CHECK(trim_white_space("  a b  c  ") == "a b  c");
  CHECK(trim_white_space(" x") == "x");
  CHECK(trim_white_space("x ") == "x");
}

TEST_CASE("trim_white_space removes Unicode space separators", "[core][text]") {
  const std::string nbsp = "\xc2\xa0";             // U+00A0
  const std::string ideographic = "\xe3\x80\x80";  // U+3000
  const std::string em_space = "\xe2\x80\x83";     // U+2003
  const std::string narrow_nbsp = "\xe2\x80\xaf";  // U+202F
  CHECK(trim_white_space(nbsp + "abc" + nbsp) == "abc");
  CHECK(trim_white_space(ideographic + "abc" + ideographic) == "abc");
  CHECK(trim_white_space(em_space + " " + nbsp + "abc" + narrow_nbsp + ideographic + " ") == "abc");
  // Inner Unicode spaces stay.
  CHECK(trim_white_space(" a" + nbsp + "b ") == "a" + nbsp + "b");
  // Multibyte characters at the edges are kept whole.
  CHECK(trim_white_space(" \xc3\xa9t\xc3\xa9 ") == "\xc3\xa9t\xc3\xa9");
  CHECK(trim_white_space(nbsp + "\xf0\x9f\x98\x80" + nbsp) == "\xf0\x9f\x98\x80");
}

TEST_CASE("trim_white_space of text that is all white space is empty", "[core][text]") {
  CHECK(trim_white_space(" ").empty());
  CHECK(trim_white_space("   \t\n ").empty());
  CHECK(trim_white_space("\xc2\xa0").empty());
  CHECK(trim_white_space("\xe3\x80\x80\xe3\x80\x80").empty());
  CHECK(trim_white_space(" \xc2\xa0\xe3\x80\x80\t").empty());
}

TEST_CASE("trim_white_space returns a view into its input", "[core][text]") {
  const std::string text = "  key  ";
  std::string_view trimmed = trim_white_space(text);
  CHECK(trimmed == "key");
  CHECK(trimmed.data() == text.data() + 2);
}

// -------------------------------------------------------------- normalize_key_name

TEST_CASE("normalize_key_name trims the name and keeps inner spaces", "[core][text]") {
  CHECK(outcome(normalize_key_name("deploy")) == "ok:deploy");
  CHECK(outcome(normalize_key_name("  deploy key  ")) == "ok:deploy key");
  CHECK(outcome(normalize_key_name("\t\xc2\xa0 CI \xe2\x9c\x93\xe3\x80\x80\n")) ==
        "ok:CI \xe2\x9c\x93");
  CHECK(outcome(normalize_key_name("\xe6\x97\xa5\xe6\x9c\xac")) == "ok:\xe6\x97\xa5\xe6\x9c\xac");
}

TEST_CASE("normalize_key_name accepts exactly 100 characters of 1 to 4 bytes each",
          "[core][text]") {
  REQUIRE(kMaxKeyNameCharacters == 100);
  for (std::string_view unit : {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}) {
    INFO("character of " << unit.size() << " bytes");
    std::string name = repeat(unit, 100);
    auto result = normalize_key_name(name);
    REQUIRE(result.is_ok());
    CHECK(*result == name);
    // Surrounding white space does not count.
    CHECK(outcome(normalize_key_name("   " + name + "\xc2\xa0\xc2\xa0")) == "ok:" + name);
  }
  // Mixed widths: 25 of each.
  std::string mixed = repeat("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 25);
  CHECK(outcome(normalize_key_name(mixed)) == "ok:" + mixed);
}

TEST_CASE("normalize_key_name rejects 101 characters with name_too_long", "[core][text]") {
  for (std::string_view unit : {"a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}) {
    INFO("character of " << unit.size() << " bytes");
    auto result = normalize_key_name(repeat(unit, 101));
    CHECK(outcome(result) == "invalid_argument/name_too_long");
    CHECK(result.status().field() == "name");
  }
  std::string mixed = repeat("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 25) + "b";
  CHECK(outcome(normalize_key_name(mixed)) == "invalid_argument/name_too_long");
  CHECK(outcome(normalize_key_name(repeat("a b ", 1000))) == "invalid_argument/name_too_long");
}

TEST_CASE("normalize_key_name rejects an empty or all-white-space name with name_empty",
          "[core][text]") {
  for (std::string_view name : {"", " ", "   ", "\t\n\r", "\xc2\xa0", "\xe3\x80\x80 \xc2\xa0"}) {
    INFO("name '" << name << "'");
    auto result = normalize_key_name(name);
    CHECK(outcome(result) == "invalid_argument/name_empty");
    CHECK(result.status().field() == "name");
  }
}

TEST_CASE("normalize_key_name rejects control characters with name_control_characters",
          "[core][text]") {
  const std::vector<std::string> names = {
      "a\x01z",     "a\x1bz", "a\x7fz", "a\tz", "a\nz", "a\0z"s, "\x1b[31mred",
      "a\xc2\x85z",  // U+0085 inside the name
      "a\xc2\x9bz",  // U+009B CSI
      "name\x7f",
  };
  for (const auto& name : names) {
    INFO("name '" << name << "'");
    auto result = normalize_key_name(name);
    CHECK(outcome(result) == "invalid_argument/name_control_characters");
    CHECK(result.status().field() == "name");
  }
}

TEST_CASE("normalize_key_name rejects direction overrides with name_invisible_characters",
          "[core][text]") {
  const std::vector<std::string> marks = {
      "\xe2\x80\xae",  // U+202E RIGHT-TO-LEFT OVERRIDE
      "\xe2\x80\xaa",  // U+202A
      "\xe2\x80\xad",  // U+202D
      "\xe2\x81\xa6",  // U+2066
      "\xe2\x81\xa9",  // U+2069
      "\xe2\x80\x8e",  // U+200E LEFT-TO-RIGHT MARK
      "\xe2\x80\x8f",  // U+200F
      "\xe2\x80\xa8",  // U+2028 LINE SEPARATOR, inside the name
      "\xe2\x80\xa9",  // U+2029
  };
  for (const auto& mark : marks) {
    INFO("mark " << mark.size() << " bytes");
    auto inner = normalize_key_name("prod" + mark + "txt.exe");
    CHECK(outcome(inner) == "invalid_argument/name_invisible_characters");
    CHECK(inner.status().field() == "name");
  }
  CHECK(outcome(normalize_key_name("\xe2\x80\xae"
                                   "abc")) == "invalid_argument/name_invisible_characters");
  CHECK(outcome(normalize_key_name("abc\xe2\x80\xae")) ==
        "invalid_argument/name_invisible_characters");
}

TEST_CASE("normalize_key_name rejects invalid UTF-8 with invalid_utf8", "[core][text]") {
  for (std::string_view name : {"\xc0\x80", "abc\xff", "\xed\xa0\x80", "a\xe2\x82", "\x80name",
                                "\xf4\x90\x80\x80", "  \xc3  "}) {
    auto result = normalize_key_name(name);
    CHECK(outcome(result) == "invalid_argument/invalid_utf8");
    CHECK(result.status().field() == "name");
  }
}

// ---------------------------------------------------------------- validate_user_id

TEST_CASE(
    "validate_user_id accepts 1 to 64 of a-z, 0-9, '.', '_', '-' starting with a letter "
    "or digit",
    "[core][text]") {
  for (std::string_view id : {"a", "0", "alice", "alice.smith", "a_b-c.d", "42", "9lives",
                              "system2", "systems", "a-", "a."}) {
    INFO("user id '" << id << "'");
    CHECK(validate_user_id(id).is_ok());
  }
  CHECK(validate_user_id(std::string(64, 'a')).is_ok());
  CHECK(validate_user_id("z" + std::string(63, '.')).is_ok());
}

TEST_CASE("validate_user_id rejects empty and longer than 64 characters", "[core][text]") {
  Status empty = validate_user_id("");
  CHECK(outcome(empty) == "invalid_argument/invalid_user_id");
  CHECK(empty.field() == "user");
  Status long_id = validate_user_id(std::string(65, 'a'));
  CHECK(outcome(long_id) == "invalid_argument/invalid_user_id");
  CHECK(long_id.field() == "user");
  CHECK(outcome(validate_user_id(std::string(1000, 'a'))) == "invalid_argument/invalid_user_id");
}

TEST_CASE("validate_user_id rejects a leading punctuation mark, uppercase and other characters",
          "[core][text]") {
  const std::vector<std::string> bad = {
      ".alice",
      "_alice",
      "-alice",
      ".",
      "Alice",
      "aLICE",
      "ALICE",
      "al ice",
      " alice",
      "alice ",
      "alice@example.com",
      "a/b",
      "a\\b",
      "a:b",
      "a+b",
      "caf\xc3\xa9",
      "alice\n",
      "al\0ice"s,
      "\xc3\xa9",
  };
  for (const auto& id : bad) {
    INFO("user id '" << id << "'");
    Status status = validate_user_id(id);
    CHECK(outcome(status) == "invalid_argument/invalid_user_id");
    CHECK(status.field() == "user");
  }
}

TEST_CASE("validate_user_id reserves 'system'", "[core][text]") {
  Status status = validate_user_id("system");
  CHECK(outcome(status) == "invalid_argument/reserved_user_id");
  CHECK(status.field() == "user");
  // Only the exact id is reserved; other spellings follow the normal rules.
  CHECK(outcome(validate_user_id("System")) == "invalid_argument/invalid_user_id");
  CHECK(validate_user_id("system.bot").is_ok());
}

// ------------------------------------------------------------- is_valid_ip_address

TEST_CASE("is_valid_ip_address accepts IPv4 addresses", "[core][text]") {
  for (std::string_view address :
       {"127.0.0.1", "0.0.0.0", "255.255.255.255", "192.0.2.10", "10.1.2.3"}) {
    INFO(address);
    CHECK(is_valid_ip_address(address));
  }
}

TEST_CASE("is_valid_ip_address accepts IPv6 addresses", "[core][text]") {
  for (std::string_view address :
       {"::1", "::", "2001:db8::1", "fe80::1:2:3:4", "2001:DB8:0:0:8:800:200C:417A",
        "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8",
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"}) {  // 45 characters, the longest form
    INFO(address);
    CHECK(is_valid_ip_address(address));
  }
}

TEST_CASE("is_valid_ip_address rejects garbage, empty text and addresses with a port",
          "[core][text]") {
  for (std::string_view address :
       {"",          " ",         "localhost",         "example.com", "1.2.3",
        "1.2.3.4.5", "256.1.1.1", "1.2.3.-1",          "1.2.3.4:80",  "[::1]",
        "[::1]:443", "::1::2",    "1:2:3:4:5:6:7:8:9", "12345::",     " 1.2.3.4",
        "1.2.3.4 ",  "1.2.3.4\n", "1.2.3.4/24",        "::1/128",     "abc",
        "gggg::1",   "\xc3\xa9"}) {
    INFO("address '" << address << "'");
    CHECK_FALSE(is_valid_ip_address(address));
  }
  CHECK_FALSE(is_valid_ip_address(std::string(1000, '1')));
  CHECK_FALSE(is_valid_ip_address("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2550"));
}

TEST_CASE("is_valid_ip_address rejects an address followed by a NUL byte and more text",
          "[core][text]") {
  // The text is stored in events as is, so everything after the NUL must be
  // part of what is checked, not just the C string before it.
  CHECK_FALSE(is_valid_ip_address("127.0.0.1\0"s));
  CHECK_FALSE(is_valid_ip_address("127.0.0.1\0<script>"s));
  CHECK_FALSE(is_valid_ip_address("::1\0evil"s));
  CHECK_FALSE(is_valid_ip_address("\0"s));
}

TEST_CASE("ASCII case is ignored in comparisons, other bytes compare as they are", "[core]") {
  CHECK(keyledger::equals_ignoring_case("Application/JSON", "application/json"));
  CHECK_FALSE(keyledger::equals_ignoring_case("application/jso", "application/json"));
  CHECK_FALSE(keyledger::equals_ignoring_case("\xc3\x89", "\xc3\xa9"));  // É is not é here
  CHECK(keyledger::equals_ignoring_case("", ""));
  CHECK(keyledger::starts_with_ignoring_case("bEaReR abc", "Bearer "));
  CHECK_FALSE(keyledger::starts_with_ignoring_case("Bear", "Bearer "));
  CHECK_FALSE(keyledger::starts_with_ignoring_case("Basic abc", "Bearer "));
  CHECK(keyledger::starts_with_ignoring_case("anything", ""));
}

namespace {

std::vector<std::string_view> pieces(SplitPieces split_pieces) {
  return {split_pieces.begin(), split_pieces.end()};
}

using Views = std::vector<std::string_view>;

}  // namespace

TEST_CASE("split gives the n + 1 pieces around n separators, empty ones included",
          "[core][text][split]") {
  CHECK(pieces(split("a,b,c", ",")) == Views{"a", "b", "c"});
  CHECK(pieces(split("a,,b", ",")) == Views{"a", "", "b"});
  CHECK(pieces(split("a,", ",")) == Views{"a", ""});
  CHECK(pieces(split(",a", ",")) == Views{"", "a"});
  CHECK(pieces(split(",", ",")) == Views{"", ""});
  CHECK(pieces(split("", ",")) == Views{""});
  CHECK(pieces(split("abc", ",")) == Views{"abc"});
  CHECK(pieces(split(" a , b ", ",")) == Views{" a ", " b "});  // split trims nothing
}

TEST_CASE("split cuts at any byte of a separator set, each byte once", "[core][text][split]") {
  CHECK(pieces(split("a b\nc", " \n")) == Views{"a", "b", "c"});
  CHECK(pieces(split("a \nb", " \n")) == Views{"a", "", "b"});
  CHECK(pieces(split("a,b", "")) == Views{"a,b"});  // no separators: one piece
  CHECK(pieces(split(std::string_view("a\0b", 3), std::string_view("\0", 1))) == Views{"a", "b"});
}

TEST_CASE("split_from_end gives the same pieces last to first", "[core][text][split]") {
  for (std::string_view text : {"a,b,c", "a,,b", "a,", ",a", ",", "", "abc"}) {
    INFO("[" << text << "]");
    Views backwards = pieces(split_from_end(text, ","));
    std::reverse(backwards.begin(), backwards.end());
    CHECK(backwards == pieces(split(text, ",")));
  }
  CHECK(pieces(split_from_end("1.1.1.1, 2.2.2.2", ",")) == Views{" 2.2.2.2", "1.1.1.1"});
}

TEST_CASE("split's pieces are views into the text, in place", "[core][text][split]") {
  const std::string text = "ab;cd";
  std::size_t offset = 0;
  for (std::string_view piece : split(text, ";")) {
    CHECK(piece.data() == text.data() + offset);
    offset += piece.size() + 1;
  }
  CHECK(offset == text.size() + 1);
  // A loop may stop early and start over: iterators are values.
  const SplitPieces list = split(text, ";");
  auto it = list.begin();
  CHECK(*it++ == "ab");
  CHECK(*it == "cd");
  CHECK(++it == list.end());
  CHECK(*list.begin() == "ab");
}

TEST_CASE("trim drops the given bytes at the start, the end or both, and nothing else",
          "[core][text][trim]") {
  CHECK(trim("  a b  ", " ") == "a b");
  CHECK(trim_leading("  a b  ", " ") == "a b  ");
  CHECK(trim_trailing("  a b  ", " ") == "  a b");
  CHECK(trim(" \t a\t ", " \t") == "a");
  CHECK(trim("\ta ", " ") == "\ta");  // only the bytes asked for
  CHECK(trim("    ", " ").empty());
  CHECK(trim_leading("    ", " ").empty());
  CHECK(trim_trailing("    ", " ").empty());
  CHECK(trim("", " ").empty());
  CHECK(trim(" a ", "") == " a ");
  // Bytes, not characters: U+00A0 is two bytes, neither of them ' '.
  CHECK(trim("\xC2\xA0 a", " ") == "\xC2\xA0 a");
}

TEST_CASE("trim returns a view into its input", "[core][text][trim]") {
  const std::string text = "  ab  ";
  CHECK(trim(text, " ").data() == text.data() + 2);
  CHECK(trim_leading(text, " ").data() == text.data() + 2);
  CHECK(trim_trailing(text, " ").data() == text.data());
}
