#include "tools/output_format.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "core/text.h"
#include "core/time_format.h"

namespace keyledger::tools {
namespace {

// Characters that start a formula in common spreadsheet programs, and their
// full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20), which some programs
// fold to the ASCII ones.
bool starts_formula(std::string_view text) {
  static constexpr std::array<std::string_view, 8> kStarts = {
      "=", "+", "-", "@", "\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"};
  return std::any_of(kStarts.begin(), kStarts.end(),
                     [&](std::string_view start) { return text.rfind(start, 0) == 0; });
}

// The text after its leading white space (ASCII, and Unicode spaces when the
// text is valid UTF-8).
std::string_view after_leading_space(std::string_view text) {
  if (is_valid_utf8(text)) {
    const std::string_view trimmed = trim_white_space(text);
    return text.substr(static_cast<std::size_t>(trimmed.data() - text.data()));
  }
  return trim_leading(text, " \t\r\n\v\f");
}

std::string dump_json(const Cell& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

const char* const kOutputRules =
    "Output (--format json, csv or table; export writes JSON lines):\n"
    "  seqs, counts and sizes are JSON numbers; integers that can exceed 2^53 (times in ns,\n"
    "  export's time_ns) are strings of digits, which every JSON reader keeps exact.\n"
    "  An absent value is null in JSON and an empty cell in CSV and tables.\n"
    "  Times are RFC 3339 in UTC. Actions and event types are one vocabulary, the same in\n"
    "  audit, export, stats and keyledgerd's /v1/audit: key_created, key_renamed, key_deleted,\n"
    "  key_used, user_created, user_locked, ...\n"
    "  CSV follows RFC 4180 with every cell quoted; a cell whose first character that is not\n"
    "  white space is = + - @ (or a full-width form), or that starts with a tab or CR, gets a\n"
    "  leading ' so that spreadsheets show it as text.";

std::optional<Format> parse_format(const std::string& text) {
  if (text.empty()) return isatty(STDOUT_FILENO) == 1 ? Format::kTable : Format::kJson;
  if (text == "table") return Format::kTable;
  if (text == "json") return Format::kJson;
  if (text == "csv") return Format::kCsv;
  return std::nullopt;
}

Cell text_or_null(const std::string& text) { return text.empty() ? Cell(nullptr) : Cell(text); }

Cell time_or_null(TimeNs time_ns) {
  return time_ns == 0 ? Cell(nullptr) : Cell(format_rfc3339(time_ns));
}

Cell time_ns_cell(TimeNs time_ns) { return Cell(std::to_string(time_ns)); }

std::string cell_text(const Cell& cell) {
  if (cell.is_null()) return "";
  if (cell.is_string()) return cell.get<std::string>();
  return dump_json(cell, -1);
}

std::string csv_cell(const std::string& text) {
  const bool formula = (!text.empty() && (text[0] == '\t' || text[0] == '\r')) ||
                       starts_formula(after_leading_space(text));
  std::string out = formula ? "\"'" : "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

RowWriter::RowWriter(Format format, std::vector<std::string> columns)
    : format_(format), columns_(std::move(columns)) {}

void RowWriter::add(std::vector<Cell> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void RowWriter::write(std::FILE* out) const {
  switch (format_) {
    case Format::kJson:
      return write_json(out);
    case Format::kCsv:
      return write_csv(out);
    case Format::kTable:
      return write_table(out);
  }
}

void RowWriter::write_json(std::FILE* out) const {
  Cell rows = Cell::array();
  for (const auto& row : rows_) {
    Cell object = Cell::object();
    for (std::size_t i = 0; i < columns_.size(); ++i) object[columns_[i]] = row[i];
    rows.push_back(std::move(object));
  }
  std::fprintf(out, "%s\n", dump_json(rows, 2).c_str());
}

void RowWriter::write_csv(std::FILE* out) const {
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) text += (i ? "," : "") + csv_cell(cells[i]);
    std::fprintf(out, "%s\r\n", text.c_str());
  };
  line(columns_);
  for (const auto& row : rows_) {
    std::vector<std::string> cells;
    for (const auto& cell : row) cells.push_back(cell_text(cell));
    line(cells);
  }
}

void RowWriter::write_table(std::FILE* out) const {
  std::vector<std::vector<std::string>> lines = {columns_};
  for (const auto& row : rows_) {
    lines.emplace_back();
    for (const auto& cell : row) lines.back().push_back(cell_text(cell));
  }
  // Widths in code points, so names in any script line up.
  std::vector<std::size_t> widths(columns_.size());
  for (const auto& cells : lines)
    for (std::size_t i = 0; i < cells.size(); ++i)
      widths[i] = std::max(widths[i], count_code_points(cells[i]));
  for (const auto& cells : lines) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size())
        text += std::string(widths[i] - count_code_points(cells[i]) + 2, ' ');
    }
    text.resize(trim_trailing(text, " ").size());
    std::fprintf(out, "%s\n", text.c_str());
  }
}

void write_record(Format format, const Cell& record, const std::string& name_column,
                  const std::string& value_column, std::FILE* out) {
  if (format == Format::kJson) {
    std::fprintf(out, "%s\n", dump_json(record, 2).c_str());
    return;
  }
  RowWriter rows(format, {name_column, value_column});
  for (const auto& [name, value] : record.items()) rows.add({name, value});
  rows.write(out);
}

}  // namespace keyledger::tools
