// Is this file CSV text at all? A check on the raw bytes of an import, run
// before (and beside) the CSV importer, so that a photo, a spreadsheet
// workbook, a PDF, random bytes or a file saved in the wrong encoding gets
// one sentence a person can act on ("this is not a CSV file: it starts with
// the bytes of a JPEG image"), instead of a thousand row errors quoting
// binary garbage.
//
// What it finds, in this order of precedence:
//   - a binary format, from the magic number the file starts with: PNG,
//     JPEG, GIF, BMP, TIFF, WebP, PDF, ZIP (so .xlsx, .docx, .ods), OLE2
//     compound documents (.xls, .doc, .et), gzip, bzip2, xz, 7-Zip, RAR,
//     and UTF-16/UTF-32 byte-order marks (Excel's "Unicode Text");
//   - a NUL byte, which no CSV text holds;
//   - the first byte that is not part of well-formed UTF-8 (as
//     common/utf8.h defines it), with its position; this is how a file saved
//     as GBK/GB18030 shows, and a hint says so;
//   - a file that ends in the middle of a UTF-8 character: truncated.
// Positions are 1-based: byte N of the file, line L and character C on it,
// lines ended by CRLF, LF or a lone CR as the CSV reader counts them.
//
// Usage:
//   TextCheck check;
//   while (reader->Read(&chunk)) {
//     check.Feed(chunk.data());
//     if (check.problem()) break;  // stop reading: nothing will be imported
//   }
//   check.Finish();
//   if (const auto& p = check.problem()) ...report p->line, p->reason...
//
// A problem is reported only once the first kSniffBytes bytes (or the whole
// file, if shorter) have been seen, so a binary format is named even when
// its first bytes are also invalid UTF-8 and arrive in small pieces. Memory:
// the first kSniffBytes bytes. Not thread-safe.
#ifndef JUNHENG_CHECKLIST_SERVICE_CSV_CSV_TEXT_CHECK_H_
#define JUNHENG_CHECKLIST_SERVICE_CSV_CSV_TEXT_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace junheng::checklist::csv {

// Why a file is not CSV text.
struct TextProblem {
  // The line the problem is on; 0 when it concerns the whole file (a binary
  // format).
  int64_t line = 0;
  // A short sentence ("this is not a CSV file: it starts with the bytes of
  // a JPEG image"), then what the bytes were and what to do instead. Valid
  // UTF-8, under 400 bytes in all, quoting no byte of the file except in
  // \xNN form.
  std::string reason;
  std::string detail;
};

// The binary format `head` (a file's first bytes) starts with, as a phrase
// for "it starts with the bytes of …", e.g. "a JPEG image"; nullopt when it
// starts with none that is known.
std::optional<std::string> BinaryFormatOf(absl::string_view head);

class TextCheck {
 public:
  // Enough for every magic number recognised.
  static constexpr size_t kSniffBytes = 16;

  // The next piece of the file, in order.
  void Feed(absl::string_view bytes);
  // The end of the file. Call once, after the last Feed.
  void Finish();
  // The first problem found, once it may be reported (see above).
  const std::optional<TextProblem>& problem() const { return problem_; }

 private:
  void Scan(absl::string_view bytes);
  void Found(TextProblem problem);
  void Decide();

  std::string head_;
  bool head_done_ = false;
  bool finished_ = false;
  // Found while the head was incomplete: a binary format may outrank it.
  std::optional<TextProblem> pending_;
  std::optional<TextProblem> problem_;

  int64_t offset_ = 0;  // bytes scanned
  int64_t line_ = 1;
  int64_t character_ = 0;  // characters completed on the current line
  bool prev_cr_ = false;
  // The UTF-8 character being read: continuation bytes still expected, its
  // value so far, its length, and where it started.
  int need_ = 0;
  uint32_t code_point_ = 0;
  int length_ = 0;
  int64_t start_offset_ = 0;
  unsigned char lead_ = 0;
};

}  // namespace junheng::checklist::csv

#endif  // JUNHENG_CHECKLIST_SERVICE_CSV_CSV_TEXT_CHECK_H_
