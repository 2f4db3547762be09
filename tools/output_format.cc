#include "tools/output_format.h"

#include <unistd.h>

#include <algorithm>

#include "core/text.h"

namespace keyledger::tools {

bool parse_format(const std::string& text, Format& format) {
  if (text.empty()) {
    format = isatty(STDOUT_FILENO) == 1 ? Format::kTable : Format::kJson;
    return true;
  }
  if (text == "table") format = Format::kTable;
  else if (text == "json") format = Format::kJson;
  else if (text == "csv") format = Format::kCsv;
  else return false;
  return true;
}

std::string csv_cell(const std::string& text) {
  std::string cell = text;
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r'))
    cell.insert(cell.begin(), '\'');
  const bool quote = cell.find_first_of(",\"\r\n'") != std::string::npos;
  if (!quote) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

RowWriter::RowWriter(Format format, std::vector<std::string> columns)
    : format_(format), columns_(std::move(columns)) {}

void RowWriter::add(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void RowWriter::write(std::FILE* out) const {
  if (format_ == Format::kJson) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : rows_) {
      nlohmann::json object = nlohmann::json::object();
      for (std::size_t i = 0; i < columns_.size(); ++i)
        object[columns_[i]] = row[i].empty() ? nlohmann::json(nullptr) : nlohmann::json(row[i]);
      rows.push_back(std::move(object));
    }
    std::fprintf(out, "%s\n", rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (format_ == Format::kCsv) {
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text;
      for (std::size_t i = 0; i < cells.size(); ++i) text += (i ? "," : "") + csv_cell(cells[i]);
      std::fprintf(out, "%s\r\n", text.c_str());
    };
    line(columns_);
    for (const auto& row : rows_) line(row);
    return;
  }
  // Table: widths in code points, so names in any script line up.
  std::vector<std::size_t> widths(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) widths[i] = count_code_points(columns_[i]);
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], count_code_points(row[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text += std::string(widths[i] - count_code_points(cells[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    std::fprintf(out, "%s\n", text.c_str());
  };
  line(columns_);
  for (const auto& row : rows_) line(row);
}

}  // namespace keyledger::tools
