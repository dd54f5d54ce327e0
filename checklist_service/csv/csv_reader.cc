#include "checklist_service/csv/csv_reader.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace junheng::checklist::csv {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr int kBomSize = 3;

bool IsLineBreak(char c) { return c == '\n' || c == '\r'; }

}  // namespace

CsvReader::CsvReader(CsvSink* sink, CsvReaderOptions options)
    : sink_(sink), options_(options) {}

void CsvReader::Feed(absl::string_view bytes) {
  size_t i = 0;
  // The mark may arrive one byte per piece; hold its prefix until it either
  // completes or turns out to be ordinary content.
  while (!bom_done_ && i < bytes.size()) {
    if (bytes[i] == kBom[bom_matched_]) {
      ++i;
      if (++bom_matched_ == kBomSize) bom_done_ = true;
    } else {
      bom_done_ = true;
      Consume(absl::string_view(kBom, bom_matched_));
    }
  }
  Consume(bytes.substr(i));
}

void CsvReader::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!bom_done_) {
    bom_done_ = true;
    Consume(absl::string_view(kBom, bom_matched_));
  }
  switch (state_) {
    case State::kQuoted:
      if (!discarding_) {
        sink_->OnError(
            {quote_line_, quote_column_, record_.line, field_index_,
             absl::StrCat("quoted field opened at line ", quote_line_,
                          ", character ", quote_column_, " is never closed")});
      }
      break;
    case State::kSkipLine:
      break;
    default:
      if (!at_record_start_) {
        EndField();
        EndRecord();
      }
  }
}

void CsvReader::Consume(absl::string_view bytes) {
  for (const char c : bytes) {
    if (c == '\n' && prev_cr_) {
      // The CR already ended the line (and any record); this is its pair.
      prev_cr_ = false;
      if (state_ == State::kQuoted) Append(c);
      continue;
    }
    prev_cr_ = c == '\r';
    // Count characters, not bytes: UTF-8 continuation bytes are 10xxxxxx.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++column_;
    if (at_record_start_) {
      at_record_start_ = false;
      record_.line = line_;
    }

    switch (state_) {
      case State::kFieldStart:
        if (c == '"') {
          state_ = State::kQuoted;
          quote_line_ = line_;
          quote_column_ = column_;
        } else if (c == ',') {
          EndField();
        } else if (IsLineBreak(c)) {
          EndField();
          EndRecord();
        } else {
          Append(c);
          state_ = State::kUnquoted;
        }
        break;
      case State::kUnquoted:
        if (c == ',') {
          EndField();
        } else if (IsLineBreak(c)) {
          EndField();
          EndRecord();
        } else if (c == '"') {
          Fail(
              "'\"' inside an unquoted field; a field containing quotes must "
              "be enclosed in quotes, with each '\"' doubled");
          state_ = State::kSkipLine;
        } else {
          Append(c);
        }
        break;
      case State::kQuoted:
        if (c == '"') {
          state_ = State::kQuoteInQuoted;
        } else {
          Append(c);
        }
        break;
      case State::kQuoteInQuoted:
        if (c == '"') {
          Append(c);
          state_ = State::kQuoted;
        } else if (c == ',') {
          EndField();
        } else if (IsLineBreak(c)) {
          EndField();
          EndRecord();
        } else {
          Fail(
              "unexpected character after the closing quote of a field; a "
              "'\"' inside a quoted field must be doubled");
          state_ = State::kSkipLine;
        }
        break;
      case State::kSkipLine:
        if (IsLineBreak(c)) EndRecord();
        break;
    }

    if (IsLineBreak(c)) {
      ++line_;
      column_ = 0;
    }
  }
}

void CsvReader::Append(char c) {
  if (discarding_) return;
  if (record_bytes_ >= options_.max_record_bytes) {
    Fail(absl::StrCat("record longer than ", options_.max_record_bytes,
                      " bytes"));
    return;
  }
  ++record_bytes_;
  field_.push_back(c);
}

void CsvReader::EndField() {
  state_ = State::kFieldStart;
  if (!discarding_ && record_.fields.size() >= options_.max_fields) {
    Fail(absl::StrCat("record has more than ", options_.max_fields, " fields"));
  }
  if (!discarding_) record_.fields.push_back(std::move(field_));
  field_.clear();
  ++field_index_;
}

void CsvReader::EndRecord() {
  if (!discarding_) sink_->OnRecord(record_);
  record_.fields.clear();
  field_.clear();
  field_index_ = 0;
  record_bytes_ = 0;
  discarding_ = false;
  state_ = State::kFieldStart;
  at_record_start_ = true;
}

void CsvReader::Fail(std::string reason) {
  discarding_ = true;
  sink_->OnError(
      {line_, column_, record_.line, field_index_, std::move(reason)});
}

}  // namespace junheng::checklist::csv
