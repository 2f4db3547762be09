// tools/output_format.h on its own: CSV cells that no spreadsheet reads as
// a formula or splits, and the cell types every format shares.
#include "tools/output_format.h"

#include <catch2/catch.hpp>
#include <string>

using namespace keyledger::tools;

TEST_CASE("a CSV cell is always quoted, with quotes doubled", "[tools][csv]") {
  CHECK(csv_cell("") == R"("")");
  CHECK(csv_cell("plain") == R"("plain")");
  CHECK(csv_cell("a,b") == R"("a,b")");
  CHECK(csv_cell("x;=1+1") == R"("x;=1+1")");  // a ';' list separator cannot split it
  CHECK(csv_cell(R"(say "hi")") == R"("say ""hi""")");
  CHECK(csv_cell("\"") == R"("""")");
  CHECK(csv_cell("line\r\nbreak") == "\"line\r\nbreak\"");
  CHECK(csv_cell("it's") == R"("it's")");
  CHECK(csv_cell("a=b") == R"("a=b")");
  CHECK(csv_cell("1-2") == R"("1-2")");
}

TEST_CASE("a CSV cell that starts a formula, even after white space, gets a leading apostrophe",
          "[tools][csv]") {
  for (const std::string formula : {"=1+1", "+1", "-2", "@SUM(A1)", "=cmd|' /C calc'!A0"})
    CHECK(csv_cell(formula) == "\"'" + formula + "\"");
  // After leading white space, which spreadsheet programs skip.
  CHECK(csv_cell(" =cmd") == R"("' =cmd")");
  CHECK(csv_cell("   +1") == R"("'   +1")");
  CHECK(csv_cell("\t=1") == "\"'\t=1\"");
  CHECK(csv_cell("\r\n=1") == "\"'\r\n=1\"");
  CHECK(csv_cell("\n@x") == "\"'\n@x\"");
  CHECK(csv_cell("\xC2\xA0=1") == "\"'\xC2\xA0=1\"");          // no-break space
  CHECK(csv_cell("\xE3\x80\x80-1") == "\"'\xE3\x80\x80-1\"");  // ideographic space
  // A leading tab or carriage return on its own.
  CHECK(csv_cell("\tplain") == "\"'\tplain\"");
  CHECK(csv_cell("\rplain") == "\"'\rplain\"");
  // Full-width = + - @, which some programs read as the ASCII ones.
  for (const std::string wide : {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"})
    CHECK(csv_cell(wide + "1") == "\"'" + wide + "1\"");
  // Quotes still doubled after the apostrophe.
  CHECK(csv_cell(R"(="x")") == R"("'=""x""")");
  // Not valid UTF-8: ASCII white space is still skipped, nothing breaks.
  CHECK(csv_cell(" =\xFF") == "\"' =\xFF\"");
  CHECK(csv_cell("\xFF=") == "\"\xFF=\"");
  // White space alone, and formula characters later on, are left as they are.
  CHECK(csv_cell("   ") == R"("   ")");
  CHECK(csv_cell("x =1") == R"("x =1")");
}

TEST_CASE("cells show null as empty and numbers as digits in tables and CSV", "[tools][csv]") {
  CHECK(cell_text(Cell(nullptr)).empty());
  CHECK(cell_text(Cell(21u)) == "21");
  CHECK(cell_text(Cell("text")) == "text");
  CHECK(text_or_null("").is_null());
  CHECK(text_or_null("x") == "x");
  CHECK(time_or_null(0).is_null());
  CHECK(time_or_null(1'772'355'600'000'000'000) == "2026-03-01T09:00:00.000Z");
  CHECK(time_ns_cell(1'772'355'600'123'456'789) == "1772355600123456789");
}
