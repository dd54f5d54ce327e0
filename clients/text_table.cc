#include "clients/text_table.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"

namespace junheng::cli {
namespace {

struct Range {
  uint32_t first, last;
};

// Zero-width: combining marks, zero-width space/joiners, variation selectors.
constexpr Range kZeroWidth[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},
    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
};

// East Asian Wide (W) and Fullwidth (F), after Unicode's EastAsianWidth.txt.
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},
    {0x23E9, 0x23EC},   {0x2E80, 0x303E},   {0x3041, 0x33FF},
    {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
    {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF},
    {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

template <size_t N>
bool In(const Range (&ranges)[N], uint32_t cp) {
  return std::any_of(
      std::begin(ranges), std::end(ranges),
      [cp](const Range& r) { return cp >= r.first && cp <= r.last; });
}

}  // namespace

int DisplayWidth(absl::string_view text) {
  int width = 0;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || i + len > text.size()) {
      ++width;  // not UTF-8: one column, as a terminal shows a replacement
      ++i;
      continue;
    }
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    i += len;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || In(kZeroWidth, cp)) continue;
    width += In(kWide, cp) ? 2 : 1;
  }
  return width;
}

std::string PadRight(absl::string_view text, int width) {
  const int missing = width - DisplayWidth(text);
  return absl::StrCat(text, std::string(std::max(missing, 0), ' '));
}

std::string PadLeft(absl::string_view text, int width) {
  const int missing = width - DisplayWidth(text);
  return absl::StrCat(std::string(std::max(missing, 0), ' '), text);
}

TextTable::TextTable(std::vector<std::string> header, std::string align)
    : align_(std::move(align)) {
  rows_.push_back(std::move(header));
}

void TextTable::AddRow(std::vector<std::string> cells) {
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render(absl::string_view indent) const {
  std::vector<int> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line(indent);
    for (size_t i = 0; i < row.size(); ++i) {
      const bool last = i + 1 == row.size();
      const bool right = i < align_.size() && align_[i] == 'r';
      if (i > 0) line += "  ";
      if (right) {
        line += PadLeft(row[i], widths[i]);
      } else {
        line += last ? row[i] : PadRight(row[i], widths[i]);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace junheng::cli
