// Rows of text out: aligned table, CSV (safe against formula injection in
// spreadsheet programs), or JSON. The rules every `keyledger` command
// follows (also in `keyledger --help`):
//   - seqs, counts and sizes are JSON numbers; integers that can exceed 2^53
//     (times in ns) are strings, which every JSON reader keeps exact;
//   - an absent value is null in JSON and an empty cell in CSV and tables;
//   - times are RFC 3339 in UTC.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace keyledger::tools {

enum class Format { kTable, kJson, kCsv };

// "table", "json", "csv"; empty means table on a terminal, JSON otherwise.
// Nothing for any other text.
std::optional<Format> parse_format(const std::string& text);

// The footer of `keyledger --help` that states the rules above.
extern const char* const kOutputRules;

// One value: null (absent), a string or a whole number. JSON objects keep
// the order their fields were added in.
using Cell = nlohmann::ordered_json;

// The text, or null when it is empty.
Cell text_or_null(const std::string& text);
// RFC 3339, or null for 0 (never).
Cell time_or_null(TimeNs time_ns);
// A time in ns as a string of digits (it exceeds 2^53).
Cell time_ns_cell(TimeNs time_ns);

// A cell as a table or CSV shows it: null is empty, a number its digits.
std::string cell_text(const Cell& cell);

// One RFC 4180 CSV cell, always quoted. A cell that a spreadsheet would read
// as a formula gets a leading ': one whose first character that is not
// white space is = + - @ (or one of their full-width forms), or that starts
// with a tab or a carriage return.
std::string csv_cell(const std::string& text);

// Collects rows and writes them in the chosen format. For JSON each row
// becomes an object keyed by the column names.
class RowWriter {
 public:
  RowWriter(Format format, std::vector<std::string> columns);
  // Missing trailing cells are null.
  void add(std::vector<Cell> cells);
  void write(std::FILE* out) const;

 private:
  void write_json(std::FILE* out) const;
  void write_csv(std::FILE* out) const;
  void write_table(std::FILE* out) const;

  Format format_;
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// Writes one record: for JSON the object itself; for a table or CSV one
// row per field under the columns `name_column` and `value_column`.
void write_record(Format format, const Cell& record, const std::string& name_column,
                  const std::string& value_column, std::FILE* out);

}  // namespace keyledger::tools
