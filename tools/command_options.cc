#include "tools/command_options.h"

#include "core/hash.h"
#include "core/time_format.h"
#include "tools/output_format.h"

namespace keyledger::tools {
namespace {

// A check that passes the texts `accepts` takes and tells what it needs of
// any other: "must be <needs>, got '<text>'".
template <typename Accepts>
CLI::Validator accepting(std::string needs, Accepts accepts, const char* type_name) {
  return CLI::Validator(
      [needs = std::move(needs), accepts](std::string& text) -> std::string {
        if (accepts(text)) return "";
        return "must be " + needs + ", got '" + text + "'";
      },
      type_name);
}

}  // namespace

CLI::App* add_ledger_command(CLI::App& app, const CommandText& text, std::string& data) {
  CLI::App* command = app.add_subcommand(text.name, text.description);
  command->footer(text.footer);
  command->add_option("--data", data, "keyledgerd's data folder")->capture_default_str();
  return command;
}

void add_format_option(CLI::App& command, std::string& format) {
  command
      .add_option("--format", format,
                  "table, json or csv (default: table on a terminal, else json)")
      ->check(accepting(
          "table, json or csv",
          [](const std::string& text) { return parse_format(text).has_value(); }, "FORMAT"));
}

CLI::Validator seq_validator() {
  return accepting(
      "a whole number (0 or more)",
      [](const std::string& text) {
        return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
      },
      "SEQ");
}

CLI::Validator time_validator() {
  return accepting(
      "RFC 3339 or YYYY-MM-DD",
      [](const std::string& text) { return parse_rfc3339_or_date(text).has_value(); }, "TIME");
}

CLI::Validator hash_validator() {
  return accepting(
      "64 hex digits", [](const std::string& text) { return hash_from_hex(text).has_value(); },
      "HASH");
}

}  // namespace keyledger::tools
