#include "checklist_service/grpc/verdict_proto.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "checklist_service/evaluator/reasons.h"
#include "common/resource_name.h"

namespace junheng::checklist {
namespace {

v1::EvidenceStatus ToProto(EvidenceState state) {
  switch (state) {
    case EvidenceState::kUnknown:
      return v1::EVIDENCE_UNKNOWN;
    case EvidenceState::kPresent:
      return v1::EVIDENCE_PRESENT;
    case EvidenceState::kMissing:
      return v1::EVIDENCE_MISSING;
    case EvidenceState::kNotExpected:
      return v1::EVIDENCE_NOT_EXPECTED;
  }
  return v1::EVIDENCE_STATUS_UNSPECIFIED;
}

void ToProto(const Measurement& m, v1::Measurement* out) {
  out->set_measure(std::string(m.measure));
  out->set_level(m.level);
  if (m.value) out->set_value(*m.value);
  if (m.threshold) out->set_threshold(*m.threshold);
  out->set_comparison(m.comparison);
  out->set_outcome(ToProto(m.outcome));
  if (m.shortfall) {
    auto* s = out->mutable_shortfall();
    s->set_amount(m.shortfall->amount);
    s->set_reduce(m.shortfall->reduce);
    s->set_unit(std::string(m.shortfall->unit));
    s->set_unit_zh(std::string(m.shortfall->unit_zh));
  }
}

// A school's or a school part's result. Per-school results leave the names
// out: they repeat the standard's text for every school and made up most of
// a county's reply.
void ToProto(const IndicatorResult& r, v1::IndicatorResult* out) {
  out->set_code(std::string(r.code));
  out->set_scope(r.scope);
  out->set_outcome(ToProto(r.outcome));
  for (const auto& m : r.measurements) ToProto(m, out->add_measurements());
  out->set_judgement(ToProto(r.judgement));
  WriteReasons(r, [out] { return out->add_reasons(); });
}

void ToProto(const CountyIndicatorResult& r, v1::IndicatorResult* out) {
  ToProto(static_cast<const IndicatorResult&>(r), out);
  out->set_name_zh(r.indicator->name_zh());
  out->set_name_en(r.indicator->name_en());
  out->set_area(r.indicator->area());
  out->set_judgement_comment(r.judgement_comment);
  for (const auto& e : r.judgement_evidence) out->add_judgement_evidence(e);
  for (const auto& s : r.schools_not_passing) out->add_schools_not_passing(s);
  out->set_evidence(ToProto(r.evidence));
  for (const auto& m : r.missing_evidence_at) out->add_missing_evidence_at(m);
}

}  // namespace

v1::Outcome ToProto(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return v1::PASS;
    case Outcome::kFail:
      return v1::FAIL;
    case Outcome::kNotReported:
      return v1::NOT_REPORTED;
    case Outcome::kNotApplicable:
      return v1::NOT_APPLICABLE;
  }
  return v1::OUTCOME_UNSPECIFIED;
}

void ToProto(const SchoolVerdict& v, const std::string& name,
             v1::SchoolEvaluation* out) {
  out->set_name(name);
  out->set_school_code(v.school_code);
  out->set_school_name(v.school_name);
  out->set_school_type(std::string(SchoolTypeName(v.type)));
  out->set_counted(v.inclusion == Inclusion::kCounted);
  out->set_exclusion_reason(v.inclusion_reason);
  out->set_outcome(ToProto(v.outcome));
  for (const auto& l : v.levels) {
    auto* level = out->add_levels();
    level->set_level(l.level);
    if (l.students) level->set_students(*l.students);
    level->set_outcome(ToProto(l.outcome));
    for (const auto& r : l.indicators) ToProto(r, level->add_indicators());
    level->set_rule_indicators(l.rule_indicators);
    level->set_met(l.met);
    level->set_missed(l.missed);
    level->set_below_floor(l.below_floor);
    level->set_not_reported(l.not_reported);
    WriteLevelReasons(l, [level] { return level->add_reasons(); });
  }
  for (const auto& c : v.checks) ToProto(c, out->add_checks());
}

namespace {

// A column of the table written row by row into room made for it
// beforehand, through a cursor of the writer's own: RepeatedField::Add
// reloads the field's size after every store (an int the store may alias);
// the cursors took 6% off the instructions of writing a full reply. A
// miscount stays correct: rows past the room are added the ordinary way,
// and room left over is cut off by Finish().
template <typename T>
class RowColumn {
 public:
  void Start(google::protobuf::RepeatedField<T>* column, int rows) {
    column_ = column;
    column->Reserve(column->size() + rows);
    // Left uninitialized: every row is written before it is read, and
    // Finish() cuts off those that were not.
    next_ = column->AddNAlreadyReserved(rows);
    end_ = next_ + rows;
  }
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Add(T value) {
    if (ABSL_PREDICT_TRUE(next_ != end_)) {
      *next_++ = value;
    } else {
      column_->Add(value);
    }
  }
  void Finish() {
    column_->Truncate(column_->size() - static_cast<int>(end_ - next_));
    next_ = end_ = nullptr;
  }

 private:
  google::protobuf::RepeatedField<T>* column_ = nullptr;
  T* next_ = nullptr;
  T* end_ = nullptr;
};

// One of the table's columns of sentences: their texts one after another in
// one string, and their lengths (SchoolTable.part_reason_text and
// part_reason_length): a string apiece was an allocation apiece at both
// ends, and a free apiece when either released the reply.
class SentenceColumn {
 public:
  void Start(std::string* text,
             google::protobuf::RepeatedField<int32_t>* lengths, size_t bytes) {
    text_ = text;
    lengths_ = lengths;
    text_->reserve(bytes);
  }

  // The string the next sentence is to be appended to.
  std::string* Next() {
    Close();
    open_ = text_->size();
    return text_;
  }
  // Ends the last sentence Next() began.
  void Close() {
    if (open_ == kNone) return;
    lengths_->Add(static_cast<int32_t>(text_->size() - open_));
    open_ = kNone;
  }

 private:
  static constexpr size_t kNone = ~size_t{0};
  std::string* text_ = nullptr;
  google::protobuf::RepeatedField<int32_t>* lengths_ = nullptr;
  size_t open_ = kNone;
};

// Writes the schools of a county verdict as v1::SchoolTable columns, and
// remembers where each school's part and check reasons landed, so that the
// failing items can quote them instead of rendering them again.
class SchoolTableWriter {
 public:
  // Reserves the columns for `schools`, which Add() then writes.
  SchoolTableWriter(const std::vector<SchoolVerdict>& schools,
                    v1::SchoolTable* out)
      : out_(out) {
    Reserve(schools);
  }

  // Cuts off the room no row took; call after the last Add().
  void Finish() {
    for (auto* column :
         {&result_code_, &result_scope_, &result_outcome_, &result_judgement_,
          &result_measurements_, &result_reasons_, &measurement_measure_,
          &measurement_level_, &measurement_comparison_, &measurement_outcome_,
          &shortfall_unit_, &shortfall_unit_zh_}) {
      column->Finish();
    }
    for (auto* column :
         {&measurement_value_reported_, &measurement_threshold_set_,
          &measurement_has_shortfall_, &shortfall_reduce_}) {
      column->Finish();
    }
    for (auto* column :
         {&measurement_value_, &measurement_threshold_, &shortfall_amount_}) {
      column->Finish();
    }
  }

  void Add(const SchoolVerdict& v) {
    first_part_.push_back(out_->part_level_size());
    first_check_.push_back(static_cast<int>(check_rows_.size()));
    out_->add_school_code(v.school_code);
    out_->add_school_name(v.school_name);
    out_->add_school_type(String(SchoolTypeName(v.type)));
    out_->add_school_counted(v.inclusion == Inclusion::kCounted);
    out_->add_school_exclusion_reason(v.inclusion_reason);
    out_->add_school_outcome(ToProto(v.outcome));
    out_->add_school_parts(static_cast<int>(v.levels.size()));
    out_->add_school_checks(static_cast<int>(v.checks.size()));
    for (const auto& l : v.levels) {
      out_->add_part_level(l.level);
      out_->add_part_students_reported(l.students.has_value());
      if (l.students) out_->add_part_students(*l.students);
      out_->add_part_outcome(ToProto(l.outcome));
      out_->add_part_rule_indicators(l.rule_indicators);
      out_->add_part_met(l.met);
      out_->add_part_missed(l.missed);
      out_->add_part_below_floor(l.below_floor);
      out_->add_part_not_reported(l.not_reported);
      out_->add_part_indicators(static_cast<int>(l.indicators.size()));
      // The part's sentence quotes its failing indicators' sentences,
      // which their rows have just been given.
      written_.Clear();
      for (const auto& r : l.indicators) AddResult(r, &written_);
      out_->add_part_reasons(WriteLevelReasons(
          l, [this] { return part_reason_.Next(); }, &written_));
      part_reason_.Close();
    }
    for (const auto& c : v.checks) {
      check_rows_.push_back(result_rows_);
      AddResult(c, nullptr);
    }
  }

  // For a school's failing item, 1 + the table row whose reasons it
  // quotes (SchoolTable.failing_item_row); 0 for an item that is not a
  // school's. The sentences are then sent once, in the table: repeated in
  // the failing items they were a third of a full reply, each byte checked
  // as UTF-8 by both ends.
  int SchoolItemRow(const FailingItem& f) const {
    if (f.source == ReasonSource::kSchoolRule) {
      return first_part_[f.school] + f.index + 1;
    }
    if (f.source == ReasonSource::kSchoolCheck) {
      return check_rows_[first_check_[f.school] + f.index] + 1;
    }
    return 0;
  }

 private:
  // index -1: an empty slot (a default string_view is {nullptr, 0} too).
  struct Recent {
    const char* data = nullptr;
    size_t size = 0;
    int index = -1;
  };

  void AddResult(const IndicatorResult& r, WrittenSentences* written) {
    ++result_rows_;
    result_code_.Add(String(r.code));
    result_scope_.Add(r.scope);
    result_outcome_.Add(ToProto(r.outcome));
    result_judgement_.Add(ToProto(r.judgement));
    result_measurements_.Add(static_cast<int>(r.measurements.size()));
    for (const auto& m : r.measurements) {
      measurement_measure_.Add(String(m.measure));
      measurement_level_.Add(m.level);
      measurement_value_reported_.Add(m.value.has_value());
      if (m.value) measurement_value_.Add(*m.value);
      measurement_threshold_set_.Add(m.threshold.has_value());
      if (m.threshold) measurement_threshold_.Add(*m.threshold);
      measurement_comparison_.Add(m.comparison);
      measurement_outcome_.Add(ToProto(m.outcome));
      measurement_has_shortfall_.Add(m.shortfall.has_value());
      if (m.shortfall) {
        shortfall_amount_.Add(m.shortfall->amount);
        shortfall_reduce_.Add(m.shortfall->reduce);
        shortfall_unit_.Add(String(m.shortfall->unit));
        shortfall_unit_zh_.Add(String(m.shortfall->unit_zh));
      }
    }
    result_reasons_.Add(WriteReasons(
        r, [this] { return result_reason_.Next(); }, written));
    result_reason_.Close();
  }

  // Nearly every view points into the standard or a static table, so the
  // same few addresses come back for every school: a small direct-mapped
  // cache of addresses answers most lookups (a hash of the content for
  // each of ~9,000 a county was a tenth of writing the table).
  ABSL_ATTRIBUTE_ALWAYS_INLINE int String(absl::string_view s) {
    const uintptr_t address = reinterpret_cast<uintptr_t>(s.data());
    // Fibonacci hashing of the address: the strings of a standard sit a few
    // dozen bytes apart, which the low bits alone mapped onto each other
    // (a third of lookups missed with 64 slots indexed by them).
    Recent& slot =
        recent_[((address ^ s.size()) * 0x9E3779B97F4A7C15u) >> kRecentShift];
    if (ABSL_PREDICT_TRUE(slot.data == s.data() && slot.size == s.size() &&
                          slot.index >= 0)) {
      return slot.index;
    }
    return Intern(s, slot);
  }

  ABSL_ATTRIBUTE_NOINLINE int Intern(absl::string_view s, Recent& slot) {
    auto [it, inserted] = by_content_.try_emplace(s, out_->strings_size());
    if (inserted) out_->add_strings(std::string(s));
    slot = {s.data(), s.size(), it->second};
    return it->second;
  }

  // Makes room in every column for the schools to come, so that none grows
  // by copying (on an arena the outgrown blocks also stay until the reply
  // is sent).
  void Reserve(const std::vector<SchoolVerdict>& schools) {
    v1::SchoolTable* out = out_;
    int parts = 0, results = 0, measurements = 0, values = 0, thresholds = 0,
        shortfalls = 0;
    // Of the sentences to come, roughly: a failing measurement's is some
    // 150 bytes, a note's 100, a failing part's 200 and 150 a failing
    // indicator it quotes (more only costs the string a copy as it grows).
    size_t result_text = 0, part_text = 0;
    auto count = [&](const IndicatorResult& r) {
      ++results;
      measurements += static_cast<int>(r.measurements.size());
      result_text += 100 * r.notes.size();
      for (const auto& m : r.measurements) {
        values += m.value.has_value();
        thresholds += m.threshold.has_value();
        shortfalls += m.shortfall.has_value();
        if (m.outcome == Outcome::kFail) result_text += 160;
      }
    };
    for (const SchoolVerdict& v : schools) {
      parts += static_cast<int>(v.levels.size());
      for (const auto& l : v.levels) {
        for (const auto& r : l.indicators) count(r);
        if (l.outcome == Outcome::kFail || l.outcome == Outcome::kNotReported) {
          part_text += 200 + 160 * static_cast<size_t>(l.missed);
        }
      }
      for (const auto& c : v.checks) count(c);
    }
    result_reason_.Start(out->mutable_result_reason_text(),
                         out->mutable_result_reason_length(), result_text);
    part_reason_.Start(out->mutable_part_reason_text(),
                       out->mutable_part_reason_length(), part_text);
    const int n = static_cast<int>(schools.size());
    out->mutable_school_code()->Reserve(n);
    out->mutable_school_name()->Reserve(n);
    out->mutable_school_type()->Reserve(n);
    out->mutable_school_counted()->Reserve(n);
    out->mutable_school_exclusion_reason()->Reserve(n);
    out->mutable_school_outcome()->Reserve(n);
    out->mutable_school_parts()->Reserve(n);
    out->mutable_school_checks()->Reserve(n);
    for (auto* column :
         {out->mutable_part_rule_indicators(), out->mutable_part_met(),
          out->mutable_part_missed(), out->mutable_part_below_floor(),
          out->mutable_part_not_reported(), out->mutable_part_indicators(),
          out->mutable_part_reasons(), out->mutable_part_level(),
          out->mutable_part_outcome()}) {
      column->Reserve(parts);
    }
    out->mutable_part_students_reported()->Reserve(parts);
    out->mutable_part_students()->Reserve(parts);
    result_code_.Start(out->mutable_result_code(), results);
    result_scope_.Start(out->mutable_result_scope(), results);
    result_outcome_.Start(out->mutable_result_outcome(), results);
    result_judgement_.Start(out->mutable_result_judgement(), results);
    result_measurements_.Start(out->mutable_result_measurements(), results);
    result_reasons_.Start(out->mutable_result_reasons(), results);
    measurement_measure_.Start(out->mutable_measurement_measure(),
                               measurements);
    measurement_level_.Start(out->mutable_measurement_level(), measurements);
    measurement_value_reported_.Start(out->mutable_measurement_value_reported(),
                                      measurements);
    measurement_value_.Start(out->mutable_measurement_value(), values);
    measurement_threshold_set_.Start(out->mutable_measurement_threshold_set(),
                                     measurements);
    measurement_threshold_.Start(out->mutable_measurement_threshold(),
                                 thresholds);
    measurement_comparison_.Start(out->mutable_measurement_comparison(),
                                  measurements);
    measurement_outcome_.Start(out->mutable_measurement_outcome(),
                               measurements);
    measurement_has_shortfall_.Start(out->mutable_measurement_has_shortfall(),
                                     measurements);
    shortfall_amount_.Start(out->mutable_shortfall_amount(), shortfalls);
    shortfall_reduce_.Start(out->mutable_shortfall_reduce(), shortfalls);
    shortfall_unit_.Start(out->mutable_shortfall_unit(), shortfalls);
    shortfall_unit_zh_.Start(out->mutable_shortfall_unit_zh(), shortfalls);
  }

  v1::SchoolTable* out_;
  static constexpr int kRecentBits = 9;
  static constexpr int kRecentShift = 64 - kRecentBits;
  Recent recent_[size_t{1} << kRecentBits];
  absl::flat_hash_map<absl::string_view, int> by_content_;
  // The current part's failing measurements' sentences, in its rows.
  WrittenSentences written_;
  SentenceColumn result_reason_, part_reason_;
  // The result rows written so far.
  int result_rows_ = 0;
  // The columns of results and measurements (enums as the ints protobuf
  // keeps them in).
  RowColumn<int32_t> result_code_, result_scope_, result_outcome_,
      result_judgement_, result_measurements_, result_reasons_,
      measurement_measure_, measurement_level_, measurement_comparison_,
      measurement_outcome_, shortfall_unit_, shortfall_unit_zh_;
  RowColumn<bool> measurement_value_reported_, measurement_threshold_set_,
      measurement_has_shortfall_, shortfall_reduce_;
  RowColumn<double> measurement_value_, measurement_threshold_,
      shortfall_amount_;
  // Per school: its first part row, and its first entry in check_rows_.
  std::vector<int> first_part_;
  std::vector<int> first_check_;
  // Per check, in school order: its result row.
  std::vector<int> check_rows_;
};

}  // namespace

void ToProto(const CountyVerdict& v, bool with_schools,
             v1::CountyEvaluation* out) {
  out->set_county_code(v.county_code);
  out->set_county_name(v.county_name);
  out->set_year(v.year);
  out->set_outcome(ToProto(v.outcome));
  out->set_evidence_checked(v.evidence_checked ? v1::EVIDENCE_PRESENT
                                               : v1::EVIDENCE_UNKNOWN);
  // The schools first: a failing school's item then refers to the
  // sentences the table holds instead of rendering them again.
  std::optional<SchoolTableWriter> table;
  if (with_schools) {
    table.emplace(v.schools, out->mutable_school_table());
    for (const auto& s : v.schools) table->Add(s);
    table->Finish();
  }
  for (const auto& f : v.failing_items) {
    auto* item = out->add_failing_items();
    item->set_code(std::string(f.code));
    const SchoolVerdict* school = SchoolOf(v, f);
    if (school != nullptr) {
      item->set_school_code(school->school_code);
      item->set_school_name(school->school_name);
    }
    item->set_level(f.level);
    item->set_outcome(ToProto(f.outcome));
    const int row = table ? table->SchoolItemRow(f) : 0;
    if (table) out->mutable_school_table()->add_failing_item_row(row);
    if (row == 0) item->set_reason_utf8(FailingReason(v, f));
  }
  for (const auto& c : v.coefficients) {
    auto* r = out->add_coefficients();
    r->set_code(c.code);
    r->set_name_zh(c.name_zh);
    r->set_level(c.level);
    r->set_schools(c.schools);
    r->set_students(c.students);
    if (c.county_value) r->set_county_value(*c.county_value);
    if (c.std_dev) r->set_std_dev(*c.std_dev);
    if (c.coefficient) r->set_value(*c.coefficient);
    if (c.limit) r->set_limit(*c.limit);
    r->set_pass(c.outcome == Outcome::kPass);
    r->set_outcome(ToProto(c.outcome));
    for (const auto& s : c.reasons) r->add_reasons(s);
  }
  for (const auto& c : v.composites) {
    auto* r = out->add_composites();
    r->set_level(c.level);
    for (const auto& code : c.codes) r->add_codes(code);
    if (c.value) r->set_value(*c.value);
    r->set_limit(c.limit);
    r->set_outcome(ToProto(c.outcome));
    for (const auto& s : c.reasons) r->add_reasons(s);
  }
  for (const auto& a : v.areas) {
    auto* r = out->add_areas();
    r->set_code(a.code);
    r->set_name_zh(a.name_zh);
    r->set_name_en(a.name_en);
    r->set_outcome(ToProto(a.outcome));
    for (const auto& i : a.indicators) ToProto(i, r->add_indicators());
    r->set_school_rule(ToProto(a.school_rule));
    for (const auto& s : a.reasons) r->add_reasons(s);
  }
  for (const auto& veto : v.vetoes) {
    auto* r = out->add_vetoes();
    r->set_code(veto.code);
    r->set_name_zh(veto.name_zh);
    r->set_outcome(ToProto(veto.outcome));
    r->set_comment(veto.comment);
    for (const auto& e : veto.evidence) r->add_evidence(e);
  }
}

void ToApi(const CountyEvaluation& e, v1::EvaluationView view,
           v1::CountyEvaluation* out) {
  ToProto(e.verdict, view != v1::EVALUATION_VIEW_SUMMARY, out);
  out->set_name(
      CountyYearName{e.verdict.county_code, e.verdict.year, "", ""}.ToString());
  out->set_standard(absl::StrCat("standards/", e.standard->id()));
  out->set_standard_sha256(e.standard->content_sha256());
  out->set_revision(e.revision);
  for (const std::string& w : e.warnings) out->add_warnings(w);
}

}  // namespace junheng::checklist
