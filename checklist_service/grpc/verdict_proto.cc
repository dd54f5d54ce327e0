#include "checklist_service/grpc/verdict_proto.h"

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
  for (auto& s : Reasons(r)) out->add_reasons(std::move(s));
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
    for (auto& s : LevelReasons(l)) level->add_reasons(std::move(s));
  }
  for (const auto& c : v.checks) ToProto(c, out->add_checks());
}

void ToProto(const CountyVerdict& v, bool with_schools,
             v1::CountyEvaluation* out) {
  out->set_county_code(v.county_code);
  out->set_county_name(v.county_name);
  out->set_year(v.year);
  out->set_outcome(ToProto(v.outcome));
  out->set_evidence_checked(v.evidence_checked ? v1::EVIDENCE_PRESENT
                                               : v1::EVIDENCE_UNKNOWN);
  // The schools first: a failing school's item then quotes the sentences
  // its school message already holds instead of rendering them again (they
  // were a third of a full reply's conversion).
  for (const auto& s : v.schools) {
    if (!with_schools) break;
    ToProto(s,
            CountyYearName{v.county_code, v.year, s.school_code, ""}.ToString(),
            out->add_schools());
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
    const google::protobuf::RepeatedPtrField<std::string>* said = nullptr;
    if (with_schools && f.source == ReasonSource::kSchoolRule) {
      said = &out->schools(f.school).levels(f.index).reasons();
    } else if (with_schools && f.source == ReasonSource::kSchoolCheck) {
      said = &out->schools(f.school).checks(f.index).reasons();
    }
    if (said != nullptr) {
      item->set_reason(SchoolItemReason(school->school_name, *said));
    } else {
      item->set_reason(FailingReason(v, f));
    }
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
