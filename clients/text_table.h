// Terminal tables that line up with Chinese in them.
//
// printf's "%-16s" pads by bytes, but a terminal gives a CJK character (three
// bytes of UTF-8) two columns and a combining mark (the bar of X̄) none, so
// every table with a school's, county's or token's Chinese name went out of
// line. Every CLI table pads with these instead.
#ifndef JUNHENG_CLIENTS_TEXT_TABLE_H_
#define JUNHENG_CLIENTS_TEXT_TABLE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace junheng::cli {

// Columns `text` (UTF-8) takes on a terminal: 2 for East Asian wide and
// full-width characters, 0 for combining marks and zero-width characters, 1
// for the rest (an invalid byte counts 1).
int DisplayWidth(absl::string_view text);

// `text` with spaces added after it (PadRight) or before it (PadLeft) up to
// `width` columns; unchanged when already as wide.
std::string PadRight(absl::string_view text, int width);
std::string PadLeft(absl::string_view text, int width);

// Columns sized to their widest cell, two spaces apart; the last column is
// not padded. `align` holds 'l' or 'r' per column (missing: 'l').
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header, std::string align = "");
  void AddRow(std::vector<std::string> cells);
  // Each line starts with `indent` and ends with '\n'.
  std::string Render(absl::string_view indent = "") const;

 private:
  std::vector<std::vector<std::string>> rows_;  // the header first
  std::string align_;
};

}  // namespace junheng::cli

#endif  // JUNHENG_CLIENTS_TEXT_TABLE_H_
