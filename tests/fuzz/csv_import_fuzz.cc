// Fuzzes the schools.csv / counties.csv importers and the CSV reader under
// them with arbitrary file bytes.
//
// Input: one control byte, then the file. Control bit 0 picks the file
// (0: schools.csv, 1: counties.csv); bit 1 shrinks the record cap so the
// over-long-record path is reachable with small inputs; the other six bits
// give a piece size of 1-64 bytes.
//
// Besides "no crash, no hang, no leak", checks one property: the outcome does
// not depend on how the bytes are split into pieces. A gRPC stream may cut a
// file anywhere (inside a quoted field, a CRLF pair, a UTF-8 sequence or the
// byte-order mark), so the same file fed whole and fed in small pieces must
// give the same status, errors and rows; abort() otherwise. The same for
// the text check that runs before the importer (csv_text_check.h), whose
// answer must also be valid UTF-8 and short.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "checklist_service/csv/csv_import.h"
#include "checklist_service/csv/csv_text_check.h"
#include "common/utf8.h"

namespace {

using junheng::checklist::csv::CsvImporter;
using junheng::checklist::csv::ImportError;
using junheng::checklist::csv::ImportOptions;
using junheng::checklist::csv::ImportResult;

// Everything observable about one import, as text, so that two imports can
// be compared and a difference printed.
template <typename Row>
std::string Outcome(absl::string_view file, size_t piece,
                    const ImportOptions& options) {
  CsvImporter<Row> importer(options);
  junheng::checklist::csv::TextCheck text;
  for (absl::string_view rest = file; !rest.empty();) {
    const absl::string_view chunk = rest.substr(0, piece);
    rest.remove_prefix(chunk.size());
    text.Feed(chunk);
  }
  text.Finish();
  std::string checked = "text ok";
  if (const auto& p = text.problem()) {
    checked =
        absl::StrCat("text line ", p->line, ": ", p->reason, "; ", p->detail);
    if (!junheng::IsValidUtf8(checked) || checked.size() > 480) {
      std::fprintf(stderr, "text problem not short UTF-8: %s\n",
                   checked.c_str());
      std::abort();
    }
  }
  while (!file.empty()) {
    const absl::string_view chunk = file.substr(0, piece);
    file.remove_prefix(chunk.size());
    if (absl::Status s = importer.Feed(chunk); !s.ok()) {
      // Feed fails only after Finish(); anything else is a bug.
      std::fprintf(stderr, "Feed failed: %s\n", s.ToString().c_str());
      std::abort();
    }
  }
  absl::StatusOr<ImportResult<Row>> result = importer.Finish();
  std::string out = absl::StrCat(checked, "\n", result.status().ToString());
  if (result.ok()) {
    if (result->rows.size() != result->lines.size() ||
        importer.error_count() != 0) {
      std::fprintf(stderr, "OK import with %zu rows, %zu lines, %lld errors\n",
                   result->rows.size(), result->lines.size(),
                   static_cast<long long>(importer.error_count()));
      std::abort();
    }
    absl::StrAppend(&out, "\nrows ", result->rows.size(), " at lines ",
                    absl::StrJoin(result->lines, ","), "\ncolumns ",
                    absl::StrJoin(result->columns, ","));
  } else if (importer.error_count() == 0 || importer.errors().empty()) {
    std::fprintf(stderr, "failed import without errors: %s\n", out.c_str());
    std::abort();
  }
  absl::StrAppend(&out, "\nerror_count ", importer.error_count());
  for (const ImportError& error : importer.errors()) {
    absl::StrAppend(&out, "\n", error.ToString());
  }
  // A second Finish() must refuse, not import again.
  if (importer.Finish().status().code() !=
      absl::StatusCode::kFailedPrecondition) {
    std::fprintf(stderr, "second Finish() did not fail\n");
    std::abort();
  }
  return out;
}

template <typename Row>
void Check(absl::string_view file, size_t piece, const ImportOptions& options) {
  const std::string whole = Outcome<Row>(file, file.size() + 1, options);
  const std::string split = Outcome<Row>(file, piece, options);
  if (whole != split) {
    std::fprintf(stderr,
                 "outcome depends on the piece size %zu\n--- whole:\n%s\n"
                 "--- in pieces:\n%s\n",
                 piece, whole.c_str(), split.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const absl::string_view file(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  ImportOptions options;
  if (control & 2) options.max_record_bytes = 256;
  const size_t piece = (control >> 2) + 1;
  if (control & 1) {
    Check<junheng::checklist::CountyStats>(file, piece, options);
  } else {
    Check<junheng::checklist::SchoolStats>(file, piece, options);
  }
  return 0;
}
