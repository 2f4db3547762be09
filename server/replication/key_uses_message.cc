#include "server/replication/key_uses_message.h"

#include <charconv>
#include <unordered_set>

#include "core/text.h"
#include "core/token.h"

namespace keyledger::replication {
namespace {

Status bad_message(std::string why) {
  return invalid_argument(Reason::kBadFrame, "key uses message: " + std::move(why));
}

bool is_node_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

// Splits off the text up to the next '\n' (which must be there).
bool next_line(std::string_view& rest, std::string_view& line) {
  const auto end = rest.find('\n');
  if (end == std::string_view::npos) return false;
  line = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return true;
}

// "<word> <value>" with exactly one space and a non-empty value.
bool field(std::string_view line, std::string_view word, std::string_view& value) {
  if (line.size() <= word.size() + 1 || line.substr(0, word.size()) != word ||
      line[word.size()] != ' ')
    return false;
  value = line.substr(word.size() + 1);
  return true;
}

// A decimal number of at most 19 digits, no sign, no leading zero but "0".
template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

bool encodable(const RecordKeyUse& use) {
  return is_valid_key_id(use.key_id) && use.client_ip.size() <= kMaxClientIpBytes &&
         is_valid_ip_address(use.client_ip) && use.used_at_ns > 0;
}

std::string use_line(const RecordKeyUse& use) {
  return "use " + use.key_id + " " + std::to_string(use.used_at_ns) + " " + use.client_ip + "\n";
}

StatusOr<RecordKeyUse> decode_use(std::string_view value) {
  const auto first = value.find(' ');
  const auto second = first == std::string_view::npos ? first : value.find(' ', first + 1);
  if (second == std::string_view::npos) return bad_message("a use needs a key, a time and an ip");
  RecordKeyUse use;
  const std::string_view key_id = value.substr(0, first);
  const std::string_view at = value.substr(first + 1, second - first - 1);
  const std::string_view ip = value.substr(second + 1);
  if (!is_valid_key_id(key_id))
    return invalid_argument(Reason::kInvalidKeyId, "key uses message: a use names no valid key id");
  if (!parse_number(at, use.used_at_ns) || use.used_at_ns <= 0)
    return bad_message("a use's time is not a positive number of nanoseconds");
  if (ip.size() > kMaxClientIpBytes || !is_valid_ip_address(ip))
    return invalid_argument(Reason::kInvalidIp, "key uses message: a use's address is no IP");
  use.key_id = std::string(key_id);
  use.client_ip = std::string(ip);
  return use;
}

Status decode_header(std::string_view& rest, KeyUsesReport& report) {
  std::string_view line;
  std::string_view value;
  if (!next_line(rest, line) || !field(line, kKeyUsesMagic, value))
    return bad_message("not a keyledger-uses message");
  if (value != std::to_string(kKeyUsesVersion))
    return bad_message("version '" + std::string(value.substr(0, 8)) + "' is not 1");
  if (!next_line(rest, line) || !field(line, "node", value)) return bad_message("no node line");
  KEYLEDGER_RETURN_IF_ERROR(check_node_name(value));
  report.node = std::string(value);
  if (!next_line(rest, line) || !field(line, "applied", value) ||
      !parse_number(value, report.applied_seq))
    return bad_message("no applied line with a seq");
  return Status::ok();
}

}  // namespace

Status check_node_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNodeNameBytes)
    return invalid_argument(Reason::kBadFlag, "a node name is 1 to 128 characters", "node_name");
  for (char c : name)
    if (!is_node_name_char(c))
      return invalid_argument(Reason::kBadFlag,
                              "a node name holds only letters, digits and . _ : -", "node_name");
  return Status::ok();
}

std::vector<std::string> encode_key_uses(const KeyUsesReport& report) {
  const std::string header = std::string(kKeyUsesMagic) + " " + std::to_string(kKeyUsesVersion) +
                             "\nnode " + report.node + "\napplied " +
                             std::to_string(report.applied_seq) + "\n";
  std::vector<std::string> messages{header};
  std::size_t in_last = 0;
  for (const RecordKeyUse& use : report.uses) {
    if (!encodable(use)) continue;
    const std::string line = use_line(use);
    if (in_last == kMaxUsesPerMessage ||
        messages.back().size() + line.size() > kMaxKeyUsesMessageBytes) {
      messages.push_back(header);
      in_last = 0;
    }
    messages.back() += line;
    ++in_last;
  }
  return messages;
}

StatusOr<KeyUsesReport> decode_key_uses(std::string_view message) {
  if (message.size() > kMaxKeyUsesMessageBytes) return bad_message("longer than 64 KiB");
  KeyUsesReport report;
  std::string_view rest = message;
  KEYLEDGER_RETURN_IF_ERROR(decode_header(rest, report));
  std::unordered_set<std::string_view> keys;
  std::string_view line;
  std::string_view value;
  while (!rest.empty()) {
    if (!next_line(rest, line)) return bad_message("the last line has no end");
    if (!field(line, "use", value)) return bad_message("a line is not a use");
    if (report.uses.size() == kMaxUsesPerMessage) return bad_message("more than 512 uses");
    auto use = decode_use(value);
    if (!use.is_ok()) return use.status();
    if (!keys.insert(value.substr(0, value.find(' '))).second)
      return bad_message("a key's use appears twice");
    report.uses.push_back(std::move(use).value());
  }
  return report;
}

}  // namespace keyledger::replication
