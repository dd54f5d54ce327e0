// A streaming RFC 4180 CSV tokenizer.
//
// The bytes of a file arrive in pieces of any size (chunks of a gRPC client
// stream); a record, a quoted field, a CRLF pair or the byte-order mark may
// be split anywhere between two pieces. The reader keeps only the record it
// is assembling, never the file, and hands each complete record to a sink
// together with the 1-based physical line on which it starts, so that the
// importer built on top can report "line 12" as an editor shows it.
//
// Accepted input:
//   - an optional UTF-8 byte-order mark (EF BB BF) at the very start;
//   - records ended by CRLF, LF or a lone CR; the last record may lack one;
//   - fields separated by ',', either unquoted or entirely enclosed in '"',
//     where a quoted field may contain ',', line breaks and '""' for '"'.
//     Line breaks inside a quoted field are kept byte for byte.
// A blank line is a record with one empty field: what to make of it is the
// caller's business.
//
// Malformed input is reported to the sink, and the reader then resumes, so
// one bad record does not hide the errors after it:
//   - a '"' inside an unquoted field, or a character other than ',' or a
//     line break after a closing quote: the record is dropped and reading
//     resumes at the next physical line;
//   - a record over CsvReaderOptions::max_record_bytes of field content or
//     max_fields fields: the record is dropped and reading resumes after its
//     end (quotes are still followed, so the end is found correctly);
//   - a quoted field still open at Finish(): reported at its opening quote.
//
// Usage:
//   class MySink : public CsvSink { ... };
//   MySink sink;
//   CsvReader reader(&sink);
//   while (stream.Read(&chunk)) reader.Feed(chunk.data());
//   reader.Finish();
//
// Not thread-safe; one reader per file.
#ifndef JUNHENG_CHECKLIST_SERVICE_CSV_CSV_READER_H_
#define JUNHENG_CHECKLIST_SERVICE_CSV_CSV_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace junheng::checklist::csv {

struct CsvRecord {
  // Physical line (1-based; CRLF, LF and CR each end a line) of the record's
  // first byte. A record with quoted line breaks spans several lines.
  int64_t line = 0;
  std::vector<std::string> fields;
};

struct CsvError {
  // Where the fault is: physical line and character on that line, both
  // 1-based. Characters are UTF-8 code points, as an editor counts them.
  int64_t line = 0;
  int64_t column = 0;
  // The record the fault belongs to: its first line and the 0-based index of
  // the field being read, so a caller can name the column.
  int64_t record_line = 0;
  int field = 0;
  std::string reason;
};

// Receives the reader's output, in input order. The references are valid
// only during the call.
class CsvSink {
 public:
  virtual ~CsvSink() = default;
  virtual void OnRecord(const CsvRecord& record) = 0;
  virtual void OnError(const CsvError& error) = 0;
};

struct CsvReaderOptions {
  // Caps the memory a hostile or broken file can make the reader hold.
  size_t max_record_bytes = size_t{1} << 20;
  size_t max_fields = 4096;
};

class CsvReader {
 public:
  // `sink` must outlive the reader.
  explicit CsvReader(CsvSink* sink, CsvReaderOptions options = {});

  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Consumes the next piece of the file; calls the sink for every record
  // completed and every fault found in it. Must not be called after Finish().
  void Feed(absl::string_view bytes);

  // Declares the end of the file: delivers a last record not followed by a
  // line break, or reports a quoted field left open. Call once.
  void Finish();

 private:
  enum class State {
    kFieldStart,
    kUnquoted,
    kQuoted,
    kQuoteInQuoted,  // a '"' seen inside a quoted field: end or escape
    kSkipLine,       // after a quoting fault, until the next line break
  };

  void Consume(absl::string_view bytes);
  void Append(char c);
  void EndField();
  void EndRecord();
  void Fail(std::string reason);

  CsvSink* const sink_;
  const CsvReaderOptions options_;

  // A prefix of the byte-order mark seen so far; it may span pieces.
  int bom_matched_ = 0;
  bool bom_done_ = false;
  bool finished_ = false;

  State state_ = State::kFieldStart;
  int64_t line_ = 1;
  int64_t column_ = 0;    // characters consumed on the current line
  bool prev_cr_ = false;  // so the LF of a split CRLF is not a second break
  bool at_record_start_ = true;
  int64_t quote_line_ = 0;  // where the open quoted field began
  int64_t quote_column_ = 0;

  CsvRecord record_;
  std::string field_;
  int field_index_ = 0;
  size_t record_bytes_ = 0;
  bool discarding_ = false;  // the current record is bad and already reported
};

}  // namespace junheng::checklist::csv

#endif  // JUNHENG_CHECKLIST_SERVICE_CSV_CSV_READER_H_
