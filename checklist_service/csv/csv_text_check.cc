#include "checklist_service/csv/csv_text_check.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace junheng::checklist::csv {
namespace {

constexpr char kSpreadsheetHint[] =
    "open it in Excel or WPS, save it as \"CSV UTF-8 (comma delimited)\" and "
    "import that file";
constexpr char kPictureHint[] =
    "import the CSV file exported from the spreadsheet, not a picture or "
    "scan of it";
constexpr char kArchiveHint[] = "unpack it and import the CSV file inside";
constexpr char kOtherHint[] = "import the CSV file itself";
constexpr char kEncodingHint[] =
    "save it as \"CSV UTF-8 (comma delimited)\" and import that file";

constexpr char kGbkHint[] =
    "a file saved as GBK or GB18030 (\"CSV\" in Excel or WPS on Chinese "
    "Windows) looks like this: save it as \"CSV UTF-8 (comma delimited)\" "
    "and import that file";

// Positions are 0-based inside, 1-based in messages.
std::string NotUtf8At(int64_t offset, int64_t line, int64_t character) {
  return absl::StrFormat(
      "this is not UTF-8 text at byte %d (line %d, character %d)", offset + 1,
      line, character + 1);
}

struct Magic {
  absl::string_view bytes;
  size_t at;  // where in the file the bytes are
  const char* format;
  const char* hint;
};

// Longer and more specific marks first: the UTF-32 byte-order mark begins
// with UTF-16's.
constexpr Magic kMagic[] = {
    {absl::string_view("\x89PNG\r\n\x1a\n", 8), 0, "a PNG image", kPictureHint},
    {"\xFF\xD8\xFF", 0, "a JPEG image (a photo or a scan)", kPictureHint},
    {"GIF87a", 0, "a GIF image", kPictureHint},
    {"GIF89a", 0, "a GIF image", kPictureHint},
    {absl::string_view("II*\0", 4), 0, "a TIFF image", kPictureHint},
    {absl::string_view("MM\0*", 4), 0, "a TIFF image", kPictureHint},
    {"WEBP", 8, "a WebP image", kPictureHint},
    {"%PDF-", 0, "a PDF document", kPictureHint},
    {"PK\x03\x04", 0,
     "a ZIP archive, such as an Excel workbook (.xlsx) or a WPS or "
     "OpenDocument file",
     kSpreadsheetHint},
    {"PK\x05\x06", 0, "an empty ZIP archive", kSpreadsheetHint},
    {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 0,
     "an Office 97-2003 document, such as an Excel workbook (.xls)",
     kSpreadsheetHint},
    {"\x1F\x8B", 0, "a gzip-compressed file", kArchiveHint},
    {absl::string_view("\xFD"
                       "7zXZ\0",
                       6),
     0, "an xz-compressed file", kArchiveHint},
    {"7z\xBC\xAF\x27\x1C", 0, "a 7-Zip archive", kArchiveHint},
    {"Rar!\x1A\x07", 0, "a RAR archive", kArchiveHint},
    {"\x7F"
     "ELF",
     0, "a program (an ELF executable)", kOtherHint},
    {absl::string_view("\xFF\xFE\0\0", 4), 0, "UTF-32 text", kEncodingHint},
    {absl::string_view("\0\0\xFE\xFF", 4), 0, "UTF-32 text", kEncodingHint},
    {"\xFF\xFE", 0, "UTF-16 text (what Excel saves as \"Unicode Text\")",
     kEncodingHint},
    {"\xFE\xFF", 0, "UTF-16 text", kEncodingHint},
};

const Magic* MagicOf(absl::string_view head) {
  for (const Magic& m : kMagic) {
    if (head.size() >= m.at + m.bytes.size() &&
        head.substr(m.at, m.bytes.size()) == m.bytes) {
      // WebP lives in a RIFF container; the tag alone could be text.
      if (m.at == 8 && !absl::StartsWith(head, "RIFF")) continue;
      return &m;
    }
  }
  // bzip2: "BZh" and a block size digit; BMP: "BM", a size, four zero
  // bytes. Both need more than a fixed prefix, and "BM…" could be text.
  if (head.size() >= 4 && absl::StartsWith(head, "BZh") && head[3] >= '1' &&
      head[3] <= '9' && head.size() >= 10 &&
      head.substr(4, 6) == absl::string_view("\x31\x41\x59\x26\x53\x59", 6)) {
    static constexpr Magic kBzip2{"BZh", 0, "a bzip2-compressed file",
                                  kArchiveHint};
    return &kBzip2;
  }
  if (head.size() >= 10 && absl::StartsWith(head, "BM") &&
      head.substr(6, 4) == absl::string_view("\0\0\0\0", 4)) {
    static constexpr Magic kBmp{"BM", 0, "a BMP image", kPictureHint};
    return &kBmp;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> BinaryFormatOf(absl::string_view head) {
  const Magic* m = MagicOf(head);
  if (m == nullptr) return std::nullopt;
  return std::string(m->format);
}

void TextCheck::Feed(absl::string_view bytes) {
  if (problem_ || finished_) return;
  if (!head_done_) {
    const size_t take = std::min(bytes.size(), kSniffBytes - head_.size());
    head_.append(bytes.data(), take);
    if (head_.size() == kSniffBytes) head_done_ = true;
  }
  if (!pending_) Scan(bytes);
  Decide();
}

void TextCheck::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!pending_ && need_ > 0) {
    pending_ = TextProblem{
        line_,
        absl::StrFormat("the file ends in the middle of a UTF-8 character "
                        "(byte %d, line %d)",
                        start_offset_ + 1, line_),
        "it looks cut short; send the whole file again"};
  }
  head_done_ = true;
  Decide();
}

void TextCheck::Decide() {
  if (problem_ || !head_done_) return;
  if (const Magic* m = MagicOf(head_)) {
    problem_ = TextProblem{
        0,
        absl::StrCat("this is not a CSV file: it starts with the bytes of ",
                     m->format),
        m->hint};
  } else if (pending_) {
    problem_ = std::move(pending_);
  }
}

void TextCheck::Found(TextProblem problem) {
  if (!pending_) pending_ = std::move(problem);
}

void TextCheck::Scan(absl::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i, ++offset_) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (need_ > 0) {
      if ((c & 0xC0) != 0x80) {
        Found({line_, NotUtf8At(start_offset_, line_, character_),
               absl::StrFormat("byte \\x%02X starts a character that byte "
                               "\\x%02X does not continue; %s",
                               lead_, c, kGbkHint)});
        return;
      }
      code_point_ = (code_point_ << 6) | (c & 0x3F);
      if (--need_ > 0) continue;
      constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      if (code_point_ < kMin[length_] || code_point_ > 0x10FFFF ||
          (code_point_ >= 0xD800 && code_point_ <= 0xDFFF)) {
        Found({line_, NotUtf8At(start_offset_, line_, character_),
               absl::StrFormat("the bytes from \\x%02X on form no valid "
                               "character (an overlong form, a surrogate or "
                               "a value past U+10FFFF); %s",
                               lead_, kEncodingHint)});
        return;
      }
      ++character_;
      continue;
    }
    if (c < 0x80) {
      if (c == 0) {
        Found({line_,
               absl::StrFormat("this is not a text file: byte %d (line %d) "
                               "is a NUL byte",
                               offset_ + 1, line_),
               "CSV text never holds one; import the CSV file itself"});
        return;
      }
      if (c == '\n') {
        if (!prev_cr_) ++line_;
        character_ = 0;
      } else if (c == '\r') {
        ++line_;
        character_ = 0;
      } else {
        ++character_;
      }
      prev_cr_ = c == '\r';
      continue;
    }
    prev_cr_ = false;
    lead_ = c;
    start_offset_ = offset_;
    if ((c & 0xE0) == 0xC0) {
      length_ = 2;
      code_point_ = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length_ = 3;
      code_point_ = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length_ = 4;
      code_point_ = c & 0x07;
    } else {
      Found({line_, NotUtf8At(offset_, line_, character_),
             absl::StrFormat("byte \\x%02X cannot start a UTF-8 character; %s",
                             c, kGbkHint)});
      return;
    }
    need_ = length_ - 1;
  }
}

}  // namespace junheng::checklist::csv
