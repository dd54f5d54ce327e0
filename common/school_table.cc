#include "common/school_table.h"

#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/resource_name.h"
#include "common/school_item_reason.h"

namespace junheng {
namespace {

using google::protobuf::RepeatedPtrField;

// How far one column has been read; an expansion lists all of its
// columns' positions, so that rows no school referred to are found.
class ColumnPosition {
 public:
  bool AtEnd() const { return at_ == size_; }
  const char* name() const { return name_; }
  // What it counts: "rows", or "bytes" of a column of texts.
  const char* unit() const { return unit_; }

 protected:
  ColumnPosition(const char* name, int size, const char* unit = "rows")
      : name_(name), unit_(unit), size_(size) {}
  const char* name_;
  const char* unit_;
  int size_;
  int at_ = 0;
};

// Reads one column front to back; a read past its end marks the table bad
// instead of reading out of bounds.
template <typename Column>
class Cursor : public ColumnPosition {
 public:
  Cursor(const Column& column, const char* name, std::string* bad,
         std::vector<const ColumnPosition*>* all)
      : ColumnPosition(name, column.size()), column_(column), bad_(bad) {
    all->push_back(this);
  }

  auto Next() {
    using Value = std::decay_t<decltype(column_.Get(0))>;
    if (at_ >= size_) {
      if (bad_->empty()) *bad_ = absl::StrCat(name_, " is too short");
      return Value{};
    }
    return Value(column_.Get(at_++));
  }

 private:
  const Column& column_;
  std::string* bad_;
};

// Reads one text after another from a column of them sent as one string
// and a column of lengths; a length past the string's end marks the table
// bad. At its end when every byte was read.
class TextCursor : public ColumnPosition {
 public:
  TextCursor(const std::string& text, const char* name, std::string* bad,
             std::vector<const ColumnPosition*>* all)
      : ColumnPosition(name, static_cast<int>(text.size()), "bytes"),
        text_(text),
        bad_(bad) {
    all->push_back(this);
  }

  absl::string_view Next(int length) {
    if (length < 0 || length > size_ - at_) {
      if (bad_->empty()) {
        *bad_ = absl::StrCat(name_, " has ", size_ - at_,
                             " bytes left for a text of ", length);
      }
      return {};
    }
    const absl::string_view text =
        absl::string_view(text_).substr(static_cast<size_t>(at_), length);
    at_ += length;
    return text;
  }

 private:
  const std::string& text_;
  std::string* bad_;
};

#define JUNHENG_CURSOR(field) \
  Cursor field(table.field(), #field, &bad, &columns)

class Expander {
 public:
  explicit Expander(const v1::SchoolTable& table) : table_(table) {}

  // Everything the table holds as SchoolEvaluation messages, or a
  // description of what does not add up.
  // Where each part row and result row went, with its school, for the
  // failing items that refer to them (SchoolTable.failing_item_row).
  struct Rows {
    std::vector<std::pair<int, const v1::SchoolLevelResult*>> parts;
    std::vector<std::pair<int, const v1::IndicatorResult*>> results;
  };

  absl::Status Expand(const v1::CountyEvaluation& county,
                      RepeatedPtrField<v1::SchoolEvaluation>* schools,
                      Rows* rows) {
    const v1::SchoolTable& table = table_;
    std::string bad;
    std::vector<const ColumnPosition*> columns;
    JUNHENG_CURSOR(school_code);
    JUNHENG_CURSOR(school_name);
    JUNHENG_CURSOR(school_type);
    JUNHENG_CURSOR(school_counted);
    JUNHENG_CURSOR(school_exclusion_reason);
    JUNHENG_CURSOR(school_outcome);
    JUNHENG_CURSOR(school_parts);
    JUNHENG_CURSOR(school_checks);
    JUNHENG_CURSOR(part_level);
    JUNHENG_CURSOR(part_students_reported);
    JUNHENG_CURSOR(part_students);
    JUNHENG_CURSOR(part_outcome);
    JUNHENG_CURSOR(part_rule_indicators);
    JUNHENG_CURSOR(part_met);
    JUNHENG_CURSOR(part_missed);
    JUNHENG_CURSOR(part_below_floor);
    JUNHENG_CURSOR(part_not_reported);
    JUNHENG_CURSOR(part_indicators);
    JUNHENG_CURSOR(part_reasons);
    JUNHENG_CURSOR(part_reason_length);
    TextCursor part_reason_text(table.part_reason_text(), "part_reason_text",
                                &bad, &columns);
    JUNHENG_CURSOR(result_code);
    JUNHENG_CURSOR(result_scope);
    JUNHENG_CURSOR(result_outcome);
    JUNHENG_CURSOR(result_judgement);
    JUNHENG_CURSOR(result_measurements);
    JUNHENG_CURSOR(result_reasons);
    JUNHENG_CURSOR(result_reason_length);
    TextCursor result_reason_text(table.result_reason_text(),
                                  "result_reason_text", &bad, &columns);
    JUNHENG_CURSOR(measurement_measure);
    JUNHENG_CURSOR(measurement_level);
    JUNHENG_CURSOR(measurement_value_reported);
    JUNHENG_CURSOR(measurement_value);
    JUNHENG_CURSOR(measurement_threshold_set);
    JUNHENG_CURSOR(measurement_threshold);
    JUNHENG_CURSOR(measurement_comparison);
    JUNHENG_CURSOR(measurement_outcome);
    JUNHENG_CURSOR(measurement_has_shortfall);
    JUNHENG_CURSOR(shortfall_amount);
    JUNHENG_CURSOR(shortfall_reduce);
    JUNHENG_CURSOR(shortfall_unit);
    JUNHENG_CURSOR(shortfall_unit_zh);

    auto string_at = [&](int index) -> const std::string& {
      static const std::string* const kEmpty = new std::string;
      if (index >= 0 && index < table.strings_size()) {
        return table.strings(index);
      }
      if (bad.empty())
        bad = absl::StrCat("string index ", index, " is out of range");
      return *kEmpty;
    };
    // A count of child rows: never negative, never more rows than the
    // column has left (which also bounds the work a bad table can ask for).
    auto count = [&](auto& cursor, int available) {
      const int n = cursor.Next();
      if (n < 0 || n > available) {
        if (bad.empty())
          bad = absl::StrCat(cursor.name(), " has a bad count ", n);
        return 0;
      }
      return n;
    };
    auto add_result = [&](v1::IndicatorResult* r) {
      r->set_code(string_at(result_code.Next()));
      r->set_scope(static_cast<v1::Scope>(result_scope.Next()));
      r->set_outcome(static_cast<v1::Outcome>(result_outcome.Next()));
      const int measurements =
          count(result_measurements, table.measurement_measure_size());
      for (int i = 0; i < measurements && bad.empty(); ++i) {
        v1::Measurement* m = r->add_measurements();
        m->set_measure(string_at(measurement_measure.Next()));
        m->set_level(static_cast<v1::Level>(measurement_level.Next()));
        if (measurement_value_reported.Next()) {
          m->set_value(measurement_value.Next());
        }
        if (measurement_threshold_set.Next()) {
          m->set_threshold(measurement_threshold.Next());
        }
        m->set_comparison(
            static_cast<v1::Comparison>(measurement_comparison.Next()));
        m->set_outcome(static_cast<v1::Outcome>(measurement_outcome.Next()));
        if (measurement_has_shortfall.Next()) {
          v1::Shortfall* s = m->mutable_shortfall();
          s->set_amount(shortfall_amount.Next());
          s->set_reduce(shortfall_reduce.Next());
          s->set_unit(string_at(shortfall_unit.Next()));
          s->set_unit_zh(string_at(shortfall_unit_zh.Next()));
        }
      }
      r->set_judgement(static_cast<v1::Outcome>(result_judgement.Next()));
      const int reasons =
          count(result_reasons, table.result_reason_length_size());
      for (int i = 0; i < reasons && bad.empty(); ++i) {
        const absl::string_view text =
            result_reason_text.Next(result_reason_length.Next());
        r->add_reasons(text.data(), text.size());
      }
    };

    RepeatedPtrField<v1::SchoolEvaluation> out;
    for (int school = 0; school < table.school_code_size() && bad.empty();
         ++school) {
      v1::SchoolEvaluation* s = out.Add();
      s->set_school_code(school_code.Next());
      s->set_name(CountyYearName{county.county_code(), county.year(),
                                 s->school_code(), ""}
                      .ToString());
      s->set_school_name(school_name.Next());
      s->set_school_type(string_at(school_type.Next()));
      s->set_counted(school_counted.Next());
      s->set_exclusion_reason(school_exclusion_reason.Next());
      s->set_outcome(static_cast<v1::Outcome>(school_outcome.Next()));
      const int parts = count(school_parts, table.part_level_size());
      const int checks = count(school_checks, table.result_code_size());
      for (int p = 0; p < parts && bad.empty(); ++p) {
        v1::SchoolLevelResult* l = s->add_levels();
        rows->parts.emplace_back(school, l);
        l->set_level(static_cast<v1::Level>(part_level.Next()));
        if (part_students_reported.Next()) {
          l->set_students(part_students.Next());
        }
        l->set_outcome(static_cast<v1::Outcome>(part_outcome.Next()));
        const int indicators = count(part_indicators, table.result_code_size());
        for (int i = 0; i < indicators && bad.empty(); ++i) {
          v1::IndicatorResult* r = l->add_indicators();
          rows->results.emplace_back(school, r);
          add_result(r);
        }
        l->set_rule_indicators(part_rule_indicators.Next());
        l->set_met(part_met.Next());
        l->set_missed(part_missed.Next());
        l->set_below_floor(part_below_floor.Next());
        l->set_not_reported(part_not_reported.Next());
        const int reasons =
            count(part_reasons, table.part_reason_length_size());
        for (int i = 0; i < reasons && bad.empty(); ++i) {
          const absl::string_view text =
              part_reason_text.Next(part_reason_length.Next());
          l->add_reasons(text.data(), text.size());
        }
      }
      for (int c = 0; c < checks && bad.empty(); ++c) {
        v1::IndicatorResult* r = s->add_checks();
        rows->results.emplace_back(school, r);
        add_result(r);
      }
    }
    // Every column read to its end: a longer column is as wrong as a
    // shorter one.
    if (bad.empty()) {
      for (const ColumnPosition* column : columns) {
        if (!column->AtEnd()) {
          bad = absl::StrCat(column->name(), " has ", column->unit(),
                             " no school refers to");
          break;
        }
      }
    }
    if (!bad.empty()) {
      return absl::DataLossError(
          absl::StrCat("the county's school table does not add up: ", bad));
    }
    schools->Swap(&out);
    return absl::OkStatus();
  }

 private:
  const v1::SchoolTable& table_;
};

#undef JUNHENG_CURSOR

}  // namespace

namespace {

// Every failing item's reason_utf8 made its reason: the same bytes, which
// the server wrote from text it checked on import.
void TakeReasonBytes(v1::CountyEvaluation* evaluation) {
  for (v1::FailingItem& item : *evaluation->mutable_failing_items()) {
    if (item.reason_utf8().empty()) continue;
    item.mutable_reason()->swap(*item.mutable_reason_utf8());
    item.clear_reason_utf8();
  }
}

}  // namespace

absl::Status ExpandEvaluation(v1::CountyEvaluation* evaluation) {
  if (!evaluation->has_school_table()) {
    TakeReasonBytes(evaluation);
    return absl::OkStatus();
  }
  RepeatedPtrField<v1::SchoolEvaluation> schools;
  Expander::Rows rows;
  absl::Status s =
      Expander(evaluation->school_table()).Expand(*evaluation, &schools, &rows);
  if (!s.ok()) return s;
  // The failing items' sentences the table holds, all found before any is
  // written, so that a bad reference leaves the message as it was.
  const auto& item_rows = evaluation->school_table().failing_item_row();
  if (!item_rows.empty() &&
      item_rows.size() != evaluation->failing_items_size()) {
    return absl::DataLossError(absl::StrCat(
        "the county's school table does not add up: failing_item_row has ",
        item_rows.size(), " entries for ", evaluation->failing_items_size(),
        " failing items"));
  }
  std::vector<std::pair<int, std::string>> reasons;
  for (int i = 0; i < item_rows.size(); ++i) {
    if (item_rows[i] == 0) continue;
    const v1::FailingItem& item = evaluation->failing_items(i);
    const int row = item_rows[i] - 1;
    const bool part = item.code() == "school_rule";
    const int rows_of_kind =
        static_cast<int>(part ? rows.parts.size() : rows.results.size());
    if (row < 0 || row >= rows_of_kind) {
      return absl::DataLossError(absl::StrCat(
          "the county's school table does not add up: failing item ", i,
          " refers to ", part ? "part" : "result", " row ", row, " of ",
          rows_of_kind));
    }
    const int school = part ? rows.parts[row].first : rows.results[row].first;
    const RepeatedPtrField<std::string>& sentences =
        part ? rows.parts[row].second->reasons()
             : rows.results[row].second->reasons();
    reasons.emplace_back(
        i, SchoolItemReason(schools[school].school_name(), sentences));
  }
  TakeReasonBytes(evaluation);
  for (auto& [i, reason] : reasons) {
    evaluation->mutable_failing_items(i)->set_reason(std::move(reason));
  }
  evaluation->mutable_schools()->Swap(&schools);
  evaluation->clear_school_table();
  return absl::OkStatus();
}

}  // namespace junheng
