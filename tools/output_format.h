// Rows of text out: aligned table, CSV (safe against formula injection in
// spreadsheet programs), or JSON.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace keyledger::tools {

enum class Format { kTable, kJson, kCsv };

// "table", "json", "csv"; empty means table on a terminal, JSON otherwise.
bool parse_format(const std::string& text, Format& format);

// Quotes a CSV cell; a cell that a spreadsheet would read as a formula
// (starting with = + - @, tab or carriage return) is prefixed with '.
std::string csv_cell(const std::string& text);

// Collects rows and writes them in the chosen format. For JSON each row
// becomes an object keyed by the column names (an empty cell is null).
class RowWriter {
 public:
  RowWriter(Format format, std::vector<std::string> columns);
  void add(std::vector<std::string> cells);
  void write(std::FILE* out) const;

 private:
  Format format_;
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace keyledger::tools
