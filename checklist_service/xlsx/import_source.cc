#include "checklist_service/xlsx/import_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "checklist_service/csv/csv_text_check.h"
#include "checklist_service/xlsx/column_titles.h"
#include "checklist_service/xlsx/sheet_table.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace junheng::checklist::xlsx {
namespace {

// A file that is not CSV text: one violation, for the line (csv:L:) or the
// whole file (csv:0:), in place of row errors that would quote its bytes.
absl::Status NotCsvText(absl::string_view kind,
                        const csv::TextProblem& problem) {
  const absl::Status violation =
      InvalidField(absl::StrCat("csv:", problem.line, ":"),
                   absl::StrCat(problem.reason, "; ", problem.detail));
  // The message is the short reason alone, not "field: reason; detail".
  absl::Status out = absl::InvalidArgumentError(
      absl::StrCat(kind, ": ", problem.reason, "; nothing was imported"));
  violation.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) {
        out.SetPayload(url, payload);
      });
  return out;
}

}  // namespace

template <typename Row>
struct ImportSource<Row>::Impl {
  Impl(csv::CsvImporter<Row>* i, csv::CsvSink* c, WorkbookLimits l)
      : importer(i), cells(c), limits(l), raw(c) {}
  ~Impl() {
    if (fd >= 0) ::close(fd);
  }

  static constexpr Table kTable =
      std::is_same_v<Row, SchoolStats> ? Table::kSchools : Table::kCounties;

  // Decides from the first four bytes when the header did not say.
  absl::Status Decide(bool at_end) {
    if (format != v1::IMPORT_FORMAT_UNSPECIFIED) return absl::OkStatus();
    if (head.size() < 4 && !at_end) return absl::OkStatus();
    format = head.compare(0, 4, "PK\x03\x04") == 0 ? v1::IMPORT_FORMAT_XLSX
                                                   : v1::IMPORT_FORMAT_CSV;
    std::string held = std::move(head);
    head.clear();
    return held.empty() ? absl::OkStatus() : Pass(held);
  }

  absl::Status Pass(absl::string_view bytes) {
    if (format == v1::IMPORT_FORMAT_XLSX) return Spool(bytes);
    // Not text at all: say so once, and read no further.
    text.Feed(bytes);
    if (text.problem()) return NotCsvText(FileName(kTable), *text.problem());
    RETURN_IF_ERROR(importer->Feed(bytes));
    raw.Feed(bytes);
    return absl::OkStatus();
  }

  absl::Status Spool(absl::string_view bytes) {
    if (fd < 0) {
      const char* dir = std::getenv("TMPDIR");
      std::string path = absl::StrCat(dir != nullptr && *dir ? dir : "/tmp",
                                      "/junheng-import-XXXXXX");
      fd = ::mkostemp(path.data(), O_CLOEXEC);
      if (fd < 0) return SpoolError();
      ::unlink(path.c_str());  // gone with the descriptor, even on a crash
    }
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SpoolError();
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  static absl::Status SpoolError() {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot keep the workbook in a temporary file (",
                     std::strerror(errno), "); nothing was imported"));
  }

  absl::Status ReadWorkbook() {
    if (fd < 0) {
      return absl::InvalidArgumentError(
          "not an .xlsx workbook: the file is empty");
    }
    auto book = Workbook::OpenFd(fd, limits);
    if (!book.ok()) return book.status();
    auto sheet = ChooseSheet(**book, kTable, requested_sheet);
    if (!sheet.ok()) return sheet.status();
    sheet_name = sheet->name;
    // The width is known after ReadSheet's first pass, before the first
    // row arrives; the table is made on that row.
    struct Forward final : public RowSink {
      Impl* self;
      const int* max_column;
      absl::Status OnRow(const xlsx::Row& row) override {
        if (!self->table) {
          self->table.emplace(kTable, self->sheet_name, *max_column + 1,
                              [s = self](const csv::CsvRecord& r) {
                                // Data errors are kept for Finish().
                                (void)s->importer->FeedRecord(r);
                                s->cells->OnRecord(r);
                              });
        }
        return self->table->OnRow(row);
      }
    };
    int max_column = -1;
    Forward forward;
    forward.self = this;
    forward.max_column = &max_column;
    RETURN_IF_ERROR((*book)->ReadSheet(*sheet, forward, &max_column));
    if (table) table->Finish();
    return absl::OkStatus();
  }

  csv::CsvImporter<Row>* const importer;
  csv::CsvSink* const cells;
  const WorkbookLimits limits;
  csv::CsvReader raw;  // CSV text into the cell collector
  csv::TextCheck text;  // that CSV text is text at all
  v1::ImportFormat format = v1::IMPORT_FORMAT_UNSPECIFIED;
  std::string requested_sheet;
  std::string head;  // the first bytes, until the format is known
  int fd = -1;       // the spooled workbook
  std::string sheet_name;
  std::optional<SheetTable> table;
};

template <typename Row>
ImportSource<Row>::ImportSource(csv::CsvImporter<Row>* importer,
                                csv::CsvSink* cells, WorkbookLimits limits)
    : impl_(std::make_unique<Impl>(importer, cells, limits)) {}

template <typename Row>
ImportSource<Row>::~ImportSource() = default;

template <typename Row>
absl::Status ImportSource<Row>::SetHeader(const v1::ImportHeader& header) {
  impl_->format = header.format();
  impl_->requested_sheet = header.sheet();
  return absl::OkStatus();
}

template <typename Row>
absl::Status ImportSource<Row>::Feed(absl::string_view bytes) {
  if (impl_->format == v1::IMPORT_FORMAT_UNSPECIFIED) {
    impl_->head.append(bytes.data(), bytes.size());
    return impl_->Decide(false);
  }
  return impl_->Pass(bytes);
}

template <typename Row>
absl::Status ImportSource<Row>::Finish() {
  RETURN_IF_ERROR(impl_->Decide(true));
  if (impl_->format == v1::IMPORT_FORMAT_XLSX) {
    absl::Status s = impl_->ReadWorkbook();
    // The workbook as a whole is wrong: a violation on the bytes' field.
    if (absl::IsInvalidArgument(s) && FieldViolations(s).empty()) {
      return InvalidField("csv_chunk", std::string(s.message()));
    }
    return s;
  }
  impl_->text.Finish();
  if (impl_->text.problem()) {
    return NotCsvText(FileName(Impl::kTable), *impl_->text.problem());
  }
  impl_->raw.Finish();
  return absl::OkStatus();
}

template <typename Row>
std::string ImportSource<Row>::Locate(const csv::ImportError& error) const {
  if (impl_->table) {
    return absl::StrCat("xlsx:", impl_->table->Locate(error), ":",
                        error.column);
  }
  if (impl_->format == v1::IMPORT_FORMAT_XLSX) {
    return absl::StrCat("xlsx:", SheetRef(impl_->sheet_name), ":",
                        error.column);
  }
  return absl::StrCat("csv:", error.line, ":", error.column);
}

template <typename Row>
std::string ImportSource<Row>::What() const {
  if (impl_->format == v1::IMPORT_FORMAT_XLSX && !impl_->sheet_name.empty()) {
    return absl::StrCat("sheet ", impl_->sheet_name);
  }
  return std::string(FileName(Impl::kTable));
}

template class ImportSource<SchoolStats>;
template class ImportSource<CountyStats>;

}  // namespace junheng::checklist::xlsx
