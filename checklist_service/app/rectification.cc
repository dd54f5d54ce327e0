#include "checklist_service/app/rectification.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/evaluator/evidence.h"
#include "checklist_service/evaluator/outcome.h"
#include "common/grpc_status.h"
#include "common/resource_name.h"
#include "common/status_macros.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

constexpr size_t kMaxOwnerBytes = 200;
constexpr size_t kMaxRequestIdBytes = 128;
constexpr size_t kMaxEvidencePerItem = 100;

std::string PlannableColumns() {
  std::vector<std::string> columns;
  for (Quantity q : PlannableResources()) columns.push_back(InfoOf(q).column);
  return absl::StrJoin(columns, " ");
}

std::map<std::string, std::string> SchoolNames(const CountyInput& input) {
  std::map<std::string, std::string> names;
  for (const SchoolStats& s : input.schools) {
    names[s.school_code] = s.school_name;
  }
  return names;
}

std::string NameOr(const std::map<std::string, std::string>& names,
                   const std::string& code) {
  auto it = names.find(code);
  return it == names.end() ? std::string() : it->second;
}

// "actions[3] (…): …" → "plan.actions[3]", so the violation names the
// action the planner's ApplyPlan refused.
absl::Status ActionViolation(const absl::Status& refused,
                             absl::string_view prefix) {
  if (!absl::IsInvalidArgument(refused)) return refused;
  const absl::string_view message = refused.message();
  std::string field = std::string(prefix) + "actions";
  if (absl::StartsWith(message, "actions[")) {
    const size_t close = message.find(']');
    if (close != absl::string_view::npos) {
      field = absl::StrCat(prefix, message.substr(0, close + 1));
    }
  }
  return InvalidField(field, std::string(message));
}

// A coefficient's figure, with enough digits that it never reads as on the
// wrong side of its limit.
std::string CoefficientText(double value, std::optional<double> limit) {
  std::string text = absl::StrFormat("%.4f", value);
  if (limit.has_value() && value != *limit &&
      absl::StrFormat("%.4f", *limit) == text) {
    text = absl::StrFormat("%.10f", value);
  }
  return text;
}

// Whether `gap` is closed in `verdict`, and the sentence that says so.
std::pair<bool, std::string> GapState(const CountyVerdict& verdict,
                                      const internal::StoredGap& gap,
                                      bool require_every_indicator) {
  const auto level = static_cast<v1::Level>(gap.level());
  const std::string label =
      absl::StrCat(gap.indicator(), " ", LevelNameZh(level));
  if (gap.coefficient()) {
    for (const CoefficientResult& c : verdict.coefficients) {
      if (c.code != gap.indicator() || c.level != level) continue;
      if (!c.coefficient.has_value()) {
        return {false, absl::StrCat(label, "差异系数无法计算（数据未填报）")};
      }
      const std::string value = CoefficientText(*c.coefficient, c.limit);
      const std::string limit = c.limit ? FormatNumber(*c.limit) : "";
      if (c.outcome == Outcome::kPass) {
        return {true, absl::StrCat(label, "差异系数 ", value, "，不超过上限 ",
                                   limit, "，已达标")};
      }
      return {false,
              absl::StrCat(label, "差异系数 ", value, "，仍超过上限 ", limit)};
    }
    return {false, absl::StrCat(label, "差异系数不在当前评估结果中")};
  }
  for (const SchoolVerdict& school : verdict.schools) {
    if (school.school_code != gap.school_code()) continue;
    const std::string where = absl::StrCat(
        school.school_name.empty() ? school.school_code : school.school_name,
        " ", label);
    for (const SchoolLevelVerdict& part : school.levels) {
      if (part.level != level) continue;
      for (const IndicatorResult& r : part.indicators) {
        if (r.code != gap.indicator()) continue;
        const bool met = r.outcome == Outcome::kPass;
        if (met) return {true, absl::StrCat(where, " 已达标")};
        std::string shortfall;
        for (const Measurement& m : r.measurements) {
          if (m.shortfall.has_value() && !m.shortfall->reduce) {
            shortfall =
                absl::StrCat("，还差 ", FormatNumber(m.shortfall->amount), " ",
                             m.shortfall->unit_zh);
          }
        }
        if (r.outcome == Outcome::kNotReported) {
          return {false, absl::StrCat(where, " 数据未填报")};
        }
        if (!require_every_indicator && part.outcome == Outcome::kPass) {
          return {true, absl::StrCat(where, " 未达标", shortfall,
                                     "，但该学段已满足学校达标规则")};
        }
        return {false, absl::StrCat(where, " 仍未达标", shortfall)};
      }
      return {false, absl::StrCat(where, " 不在当前评估结果中")};
    }
    return {false, absl::StrCat(where, "：该学段不在当前统计数据中")};
  }
  return {false, absl::StrCat("学校 ", gap.school_code(),
                              " 不在当前统计数据中（", label, "）")};
}

internal::StoredRectificationItem RecordOf(const PlanAction& action) {
  internal::StoredRectificationItem r;
  r.set_kind(action.kind == PlanAction::Kind::kRotate ? 2 : 1);
  r.set_school_code(action.school_code);
  r.set_from_school_code(action.from_school_code);
  r.set_level(action.level);
  r.set_resource(InfoOf(action.resource).column);
  r.set_quantity(action.quantity);
  r.set_cost_yuan(action.cost_yuan);
  for (const PlanGap& g : action.closes) {
    internal::StoredGap* gap = r.add_closes();
    gap->set_indicator(g.indicator);
    gap->set_level(g.level);
    gap->set_coefficient(g.coefficient);
    gap->set_school_code(g.school_code);
  }
  return r;
}

std::optional<ItemStatus> StoredStatus(int32_t status) {
  if (status < 1 || status > 3) return std::nullopt;
  return static_cast<ItemStatus>(status);
}

std::string DeadlineText(int64_t deadline_us) {
  if (deadline_us == 0) return "none";
  return absl::FormatTime("%Y-%m-%d %H:%M %Ez",
                          absl::FromUnixMicros(deadline_us),
                          absl::FixedTimeZone(8 * 3600));
}

}  // namespace

const char* ItemStatusName(ItemStatus status) {
  switch (status) {
    case ItemStatus::kOpen:
      return "OPEN";
    case ItemStatus::kInProgress:
      return "IN_PROGRESS";
    case ItemStatus::kDone:
      return "DONE";
    case ItemStatus::kVerified:
      return "VERIFIED";
  }
  return "?";
}

const char* ItemStatusNameZh(ItemStatus status) {
  switch (status) {
    case ItemStatus::kOpen:
      return "待整改";
    case ItemStatus::kInProgress:
      return "整改中";
    case ItemStatus::kDone:
      return "已完成";
    case ItemStatus::kVerified:
      return "已核验";
  }
  return "?";
}

PlanAction ActionOfItem(const internal::StoredRectificationItem& r) {
  PlanAction a;
  a.kind = r.kind() == 2 ? PlanAction::Kind::kRotate : PlanAction::Kind::kAdd;
  a.school_code = r.school_code();
  a.from_school_code = r.from_school_code();
  a.level = static_cast<v1::Level>(r.level());
  a.resource = ResourceOfColumn(r.resource()).value_or(Quantity::kNone);
  a.quantity = r.quantity();
  a.cost_yuan = r.cost_yuan();
  for (const internal::StoredGap& g : r.closes()) {
    a.closes.push_back({g.indicator(), static_cast<v1::Level>(g.level()),
                        g.coefficient(), g.school_code()});
  }
  return a;
}

Rectification::Rectification(Checklist& checklist, ChecklistStore& store,
                             CostModel default_costs, Clock clock)
    : checklist_(checklist),
      store_(store),
      default_costs_(std::move(default_costs)),
      clock_(std::move(clock)) {}

absl::StatusOr<CostModel> Rectification::CostsFor(
    const CostOverrides& overrides, const std::string& county, int year) const {
  CostModel model = default_costs_;
  if (!overrides.csv.empty()) {
    absl::StatusOr<CostModel> parsed = ParseCostModel(overrides.csv, model);
    if (!parsed.ok()) {
      return InvalidField("costs_csv", std::string(parsed.status().message()));
    }
    model = *std::move(parsed);
  }
  std::vector<FieldViolation> bad;
  auto figure_ok = [](double v) { return std::isfinite(v) && v >= 0; };
  for (size_t i = 0; i < overrides.unit_costs.size(); ++i) {
    const auto& price = overrides.unit_costs[i];
    const std::string field = absl::StrCat("costs.unit_costs[", i, "]");
    std::optional<Quantity> q = ResourceOfColumn(price.resource);
    if (!q.has_value()) {
      bad.push_back({field + ".resource",
                     absl::StrCat("\"", Excerpt(price.resource, 40),
                                  "\" is not a resource a plan can add; one "
                                  "of: ",
                                  PlannableColumns())});
    } else if (!figure_ok(price.unit_cost_yuan)) {
      bad.push_back({field + ".unit_cost_yuan",
                     "must be a finite amount of yuan, 0 or more"});
    } else {
      model.unit_cost_yuan[*q] = price.unit_cost_yuan;
    }
  }
  if (overrides.rotation_cost_yuan.has_value()) {
    if (!figure_ok(*overrides.rotation_cost_yuan)) {
      bad.push_back({"costs.rotation_cost_yuan",
                     "must be a finite amount of yuan, 0 or more"});
    } else {
      model.rotation_cost_yuan = *overrides.rotation_cost_yuan;
    }
  }
  for (size_t i = 0; i < overrides.limits.size(); ++i) {
    const auto& limit = overrides.limits[i];
    const std::string field = absl::StrCat("costs.limits[", i, "]");
    std::string school = limit.school;
    if (absl::StartsWith(school, "counties/")) {
      absl::StatusOr<CountyYearName> name = ParseCountyYearName(
          school, field + ".school",
          "counties/{county}/years/{year}/schools/{school}");
      if (!name.ok() || name->school.empty() || !name->tail.empty() ||
          name->county != county || name->year != year) {
        bad.push_back(
            {field + ".school",
             absl::StrCat("must be a school of counties/", county, "/years/",
                          year, ", or its 10-digit code")});
        continue;
      }
      school = name->school;
    } else if (!IsValidSchoolCode(school)) {
      bad.push_back({field + ".school",
                     "must be a 10-digit school code or the school's name "
                     "counties/{county}/years/{year}/schools/{school}"});
      continue;
    }
    std::optional<Quantity> q = ResourceOfColumn(limit.resource);
    if (!q.has_value()) {
      bad.push_back(
          {field + ".resource",
           absl::StrCat("\"", Excerpt(limit.resource, 40),
                        "\" is not a resource a plan can add; one of: ",
                        PlannableColumns())});
      continue;
    }
    if (!figure_ok(limit.max_units)) {
      bad.push_back({field + ".max_units",
                     "must be a finite number of units, 0 or more"});
      continue;
    }
    model.max_units[school][*q] = limit.max_units;
  }
  if (!bad.empty()) return InvalidFields("bad cost model", bad);
  if (overrides.no_rotation) model.rotation_cost_yuan.reset();
  return model;
}

absl::StatusOr<PlannedCounty> Rectification::Plan(const Principal& who,
                                                  const PlanQuery& query) {
  RETURN_IF_ERROR(
      Authorize(who, Permission::kEvaluate, Scope::County(query.county)));
  ASSIGN_OR_RETURN(const v1::IndicatorStandard* standard,
                   checklist_.Standard(query.standard));
  ASSIGN_OR_RETURN(CostModel costs,
                   CostsFor(query.costs, query.county, query.year));
  ASSIGN_OR_RETURN(auto data, checklist_.LoadCountyData(
                                  query.county, query.year, query.as_of));
  PlannedCounty out;
  ASSIGN_OR_RETURN(out.plan,
                   PlanRectification(*standard, data->input, costs,
                                     {query.require_every_indicator}));
  out.standard = standard;
  out.revision = data->revision;
  out.require_every_indicator = query.require_every_indicator;
  out.county_name = data->input.county.county_name;
  out.school_names = SchoolNames(data->input);
  return out;
}

absl::StatusOr<Simulation> Rectification::Simulate(
    const Principal& who, const SimulationQuery& query) {
  RETURN_IF_ERROR(
      Authorize(who, Permission::kEvaluate, Scope::County(query.county)));
  ASSIGN_OR_RETURN(const v1::IndicatorStandard* standard,
                   checklist_.Standard(query.standard));
  ASSIGN_OR_RETURN(auto data, checklist_.LoadCountyData(
                                  query.county, query.year, query.as_of));
  absl::StatusOr<CountyInput> applied = ApplyPlan(data->input, query.actions);
  if (!applied.ok()) return ActionViolation(applied.status(), "");
  Simulation out;
  // One look at the archive serves both sides: the actions change the
  // statistics, not the evidence.
  std::vector<std::string> warnings;
  if (!data->has_county_row) {
    warnings.push_back(absl::StrCat("no counties.csv row for ", query.county,
                                    " in ", query.year,
                                    ": county indicators are not reported"));
  }
  const std::optional<EvidenceIndex> index = checklist_.EvidenceOf(
      who, query.county, query.year, query.deadline, warnings);
  const CountyInput& after_input = *applied;
  const std::pair<CountyEvaluation*, const CountyInput*> sides[] = {
      {&out.before, &data->input}, {&out.after, &after_input}};
  for (const auto& [side, input] : sides) {
    // The snapshot was checked when it was loaded; the what-if is new.
    ASSIGN_OR_RETURN(side->verdict,
                     input == &data->input
                         ? checklist_.EvaluateSnapshot(*standard, *data)
                         : EvaluateCounty(*standard, *input));
    JudgeEvidence(*standard, index ? &*index : nullptr, side->verdict);
    side->standard = standard;
    side->revision = data->revision;
    side->warnings = warnings;
  }
  out.after.warnings.push_back(absl::StrCat(
      "what-if: the statistics of revision ", data->revision, " with ",
      query.actions.size(), " action", query.actions.size() == 1 ? "" : "s",
      " applied; nothing was stored"));
  out.drivers = DriversOf(out.before.verdict);
  out.drivers_after = DriversOf(out.after.verdict);
  out.school_names = SchoolNames(data->input);
  return out;
}

absl::StatusOr<std::vector<TrackedItem>> Rectification::Adopt(
    const Principal& who, const AdoptionQuery& query) {
  RETURN_IF_ERROR(Authorize(who, Permission::kAdoptRectification,
                            Scope::County(query.county)));
  if (query.plan_county != query.county || query.plan_year != query.year) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the plan was computed for counties/", query.plan_county, "/years/",
        query.plan_year, ", not counties/", query.county, "/years/", query.year,
        "; plan this county and year and adopt that plan"));
  }
  std::vector<FieldViolation> bad;
  if (query.actions.empty()) {
    bad.push_back({"plan.actions",
                   "the plan has no actions: nothing to track (a feasible "
                   "plan without actions means the resource part passes)"});
  }
  if (query.owner.size() > kMaxOwnerBytes) {
    bad.push_back(
        {"owner", absl::StrCat("is longer than ", kMaxOwnerBytes, " bytes")});
  }
  const absl::Time now = clock_();
  if (query.deadline.has_value() && *query.deadline < now) {
    bad.push_back({"deadline", "is in the past; give a date to come"});
  }
  if (query.request_id.size() > kMaxRequestIdBytes) {
    bad.push_back({"request_id", absl::StrCat("is longer than ",
                                              kMaxRequestIdBytes, " bytes")});
  }
  if (!bad.empty()) return InvalidFields("bad adoption", bad);
  ASSIGN_OR_RETURN(const v1::IndicatorStandard* standard,
                   checklist_.Standard(query.standard));
  if (query.plan_revision > store_.LatestRevision()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the plan was computed from revision ",
                     query.plan_revision, ", which this server does not have"));
  }
  // The actions must make sense on the statistics they were planned from.
  ASSIGN_OR_RETURN(
      auto data,
      checklist_.LoadCountyData(query.county, query.year, query.plan_revision));
  if (absl::StatusOr<CountyInput> applied =
          ApplyPlan(data->input, query.actions);
      !applied.ok()) {
    return ActionViolation(applied.status(), "plan.");
  }
  std::vector<internal::StoredRectificationItem> records;
  records.reserve(query.actions.size());
  const int64_t now_us = absl::ToUnixMicros(now);
  for (const PlanAction& action : query.actions) {
    internal::StoredRectificationItem r = RecordOf(action);
    r.set_owner(query.owner);
    if (query.deadline) r.set_deadline_us(absl::ToUnixMicros(*query.deadline));
    r.set_status(static_cast<int>(ItemStatus::kOpen));
    r.set_create_time_us(now_us);
    r.set_update_time_us(now_us);
    r.set_standard(standard->id());
    r.set_require_every_indicator(query.require_every_indicator);
    r.set_plan_revision(data->revision);
    records.push_back(std::move(r));
  }
  ASSIGN_OR_RETURN(std::vector<StoredItem> stored,
                   store_.AddItems(query.county, query.year, records,
                                   query.request_id, who.actor()));
  return Track(who, query.county, query.year, std::move(stored),
               query.request_deadline);
}

absl::Status Rectification::AuthorizeItems(const Principal& who,
                                           Permission permission,
                                           const std::string& county,
                                           std::string* only_school) const {
  absl::Status county_wide = Authorize(who, permission, Scope::County(county));
  if (county_wide.ok()) return county_wide;
  // A school reaches its own items within its county, and nothing else.
  if (who.scope.kind != Scope::Kind::kSchool || who.scope.county != county) {
    return county_wide;
  }
  RETURN_IF_ERROR(
      Authorize(who, permission, Scope::School(county, who.scope.school)));
  *only_school = who.scope.school;
  return absl::OkStatus();
}

namespace {

bool Touches(const internal::StoredRectificationItem& r,
             const std::string& school) {
  return r.school_code() == school || r.from_school_code() == school;
}

absl::Status NotYourItem(const Principal& who, const std::string& county,
                         int year, int64_t id) {
  // The same answer whether the item exists or not.
  return absl::PermissionDeniedError(absl::StrCat(
      who.name, " (school ", who.scope.school,
      ") may only reach the "
      "rectification items of its own school; ",
      RectificationItemName{county, year, id}.ToString(), " is not one"));
}

}  // namespace

absl::StatusOr<TrackedItem> Rectification::GetItem(
    const Principal& who, const std::string& county, int year, int64_t id,
    std::optional<absl::Time> deadline) {
  std::string only_school;
  RETURN_IF_ERROR(
      AuthorizeItems(who, Permission::kReadStatistics, county, &only_school));
  absl::StatusOr<StoredItem> item = store_.GetItem(county, year, id);
  if (!only_school.empty() &&
      (!item.ok() || !Touches(item->record, only_school))) {
    return NotYourItem(who, county, year, id);
  }
  if (!item.ok()) return item.status();
  std::vector<TrackedItem> tracked =
      Track(who, county, year, {*std::move(item)}, deadline);
  return std::move(tracked.front());
}

absl::StatusOr<ItemPage> Rectification::ListItems(
    const Principal& who, const std::string& county, int year, int64_t after,
    int page_size, const ItemFilter& filter,
    std::optional<absl::Time> deadline) {
  std::string only_school;
  RETURN_IF_ERROR(
      AuthorizeItems(who, Permission::kReadStatistics, county, &only_school));
  ASSIGN_OR_RETURN(std::vector<StoredItem> stored,
                   store_.ListItems(county, year, after));
  std::vector<StoredItem> candidates;
  for (StoredItem& item : stored) {
    if (!only_school.empty() && !Touches(item.record, only_school)) continue;
    if (!filter.school.empty() && !Touches(item.record, filter.school)) {
      continue;
    }
    candidates.push_back(std::move(item));
  }
  ItemPage page;
  for (TrackedItem& item :
       Track(who, county, year, std::move(candidates), deadline)) {
    if (filter.overdue && !item.overdue) continue;
    if (filter.status.has_value() && item.status != *filter.status) continue;
    if (static_cast<int>(page.items.size()) == page_size) {
      page.next_after = page.items.back().stored.id;
      break;
    }
    page.items.push_back(std::move(item));
  }
  return page;
}

absl::StatusOr<TrackedItem> Rectification::UpdateItem(
    const Principal& who, const ItemChange& change) {
  std::string only_school;
  RETURN_IF_ERROR(AuthorizeItems(who, Permission::kUpdateRectification,
                                 change.county, &only_school));
  std::vector<FieldViolation> bad;
  if (change.status.has_value() && *change.status == ItemStatus::kVerified) {
    bad.push_back({"item.status",
                   "VERIFIED cannot be set: the checklist verifies an item "
                   "when the statistics show its gap closed and its evidence "
                   "is in the archive; set DONE when the work is done"});
  }
  if (change.owner.has_value() && change.owner->size() > kMaxOwnerBytes) {
    bad.push_back({"item.owner",
                   absl::StrCat("is longer than ", kMaxOwnerBytes, " bytes")});
  }
  if (change.evidence.has_value()) {
    if (change.evidence->size() > kMaxEvidencePerItem) {
      bad.push_back(
          {"item.evidence",
           absl::StrCat("has more than ", kMaxEvidencePerItem, " names")});
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < change.evidence->size(); ++i) {
      const std::string& name = (*change.evidence)[i];
      const std::string field = absl::StrCat("item.evidence[", i, "]");
      absl::StatusOr<VersionName> parsed = ParseVersionName(name, field);
      if (!parsed.ok()) {
        bad.push_back({field,
                       "must be an archive evidence name, counties/{county}"
                       "[/schools/{school}]/evidence/{id}[/versions/{n}]"});
      } else if (parsed->evidence.parent.county != change.county) {
        bad.push_back({field, absl::StrCat("is evidence of county ",
                                           parsed->evidence.parent.county,
                                           ", not of ", change.county)});
      } else if (!seen.insert(name).second) {
        bad.push_back({field, "is listed twice"});
      }
    }
  }
  if (!only_school.empty() &&
      (change.owner.has_value() || change.deadline.has_value())) {
    return absl::PermissionDeniedError(absl::StrCat(
        who.name, " (school ", who.scope.school,
        ") may change an item's status and evidence; its owner and deadline "
        "are set by the county bureau"));
  }
  absl::StatusOr<StoredItem> current =
      store_.GetItem(change.county, change.year, change.id);
  if (!only_school.empty() &&
      (!current.ok() || !Touches(current->record, only_school))) {
    return NotYourItem(who, change.county, change.year, change.id);
  }
  if (!bad.empty()) return InvalidFields("bad item update", bad);
  if (!current.ok()) return current.status();
  StoredItem item = *std::move(current);
  if (change.read_revision != 0) item.revision = change.read_revision;
  internal::StoredRectificationItem& r = item.record;
  std::vector<std::string> changed;
  if (change.owner.has_value() && *change.owner != r.owner()) {
    changed.push_back(
        absl::StrCat("owner \"", r.owner(), "\" → \"", *change.owner, "\""));
    r.set_owner(*change.owner);
  }
  if (change.deadline.has_value()) {
    const int64_t us = change.deadline->has_value()
                           ? absl::ToUnixMicros(**change.deadline)
                           : 0;
    if (us != r.deadline_us()) {
      changed.push_back(absl::StrCat("deadline ", DeadlineText(r.deadline_us()),
                                     " → ", DeadlineText(us)));
      r.set_deadline_us(us);
    }
  }
  if (change.status.has_value() &&
      static_cast<int>(*change.status) != r.status()) {
    const ItemStatus before =
        StoredStatus(r.status()).value_or(ItemStatus::kOpen);
    changed.push_back(absl::StrCat("status ", ItemStatusName(before), " → ",
                                   ItemStatusName(*change.status)));
    r.set_status(static_cast<int>(*change.status));
  }
  if (change.evidence.has_value() &&
      !std::equal(change.evidence->begin(), change.evidence->end(),
                  r.evidence().begin(), r.evidence().end())) {
    changed.push_back(absl::StrCat("evidence ", r.evidence_size(), " → ",
                                   change.evidence->size(), " names"));
    r.clear_evidence();
    for (const std::string& e : *change.evidence) r.add_evidence(e);
  }
  if (changed.empty()) {
    // Nothing to record: no new revision for a no-op.
    if (change.read_revision != 0 && change.read_revision != item.revision) {
      ASSIGN_OR_RETURN(item,
                       store_.GetItem(change.county, change.year, change.id));
    }
  } else {
    r.set_update_time_us(absl::ToUnixMicros(clock_()));
    ASSIGN_OR_RETURN(item, store_.UpdateItem(item, absl::StrJoin(changed, "; "),
                                             who.actor()));
  }
  std::vector<TrackedItem> tracked =
      Track(who, change.county, change.year, {std::move(item)},
            change.request_deadline);
  return std::move(tracked.front());
}

std::vector<TrackedItem> Rectification::Track(
    const Principal& who, const std::string& county, int year,
    std::vector<StoredItem> items, std::optional<absl::Time> deadline) {
  const absl::Time now = clock_();
  std::vector<TrackedItem> out;
  out.reserve(items.size());
  if (items.empty()) return out;

  // The statistics as they stand now, evaluated once per standard the
  // items were planned under.
  absl::StatusOr<std::shared_ptr<const Checklist::CountyData>> data =
      checklist_.LoadCountyData(county, year, 0);
  std::map<std::string, absl::StatusOr<CountyVerdict>> verdicts;
  std::map<std::string, std::string> names;
  if (data.ok()) names = SchoolNames((*data)->input);

  // Every linked piece of evidence, looked up in one pass.
  std::vector<std::string> linked;
  for (const StoredItem& item : items) {
    for (const std::string& e : item.record.evidence()) linked.push_back(e);
  }
  std::sort(linked.begin(), linked.end());
  linked.erase(std::unique(linked.begin(), linked.end()), linked.end());
  absl::StatusOr<std::vector<EvidenceSource::Lookup>> lookups =
      std::vector<EvidenceSource::Lookup>();
  if (!linked.empty())
    lookups = checklist_.LookUpEvidence(who, linked, deadline);

  for (StoredItem& item : items) {
    const internal::StoredRectificationItem& r = item.record;
    TrackedItem t;
    t.verify_time = now;
    t.school_name = NameOr(names, r.school_code());
    t.from_school_name = NameOr(names, r.from_school_code());
    std::vector<std::string> why;
    bool gaps_closed = true;
    if (!data.ok()) {
      gaps_closed = false;
      why.push_back(
          absl::IsNotFound(data.status())
              ? std::string("当前没有该县本年度的统计数据")
              : absl::StrCat("统计数据无法读取：", data.status().message()));
    } else {
      auto it = verdicts.find(r.standard());
      if (it == verdicts.end()) {
        absl::StatusOr<CountyVerdict> v = absl::NotFoundError("");
        absl::StatusOr<const v1::IndicatorStandard*> standard =
            checklist_.Standard(absl::StrCat("standards/", r.standard()));
        if (standard.ok()) {
          v = checklist_.EvaluateSnapshot(**standard, **data);
        } else {
          v = standard.status();
        }
        it = verdicts.emplace(r.standard(), std::move(v)).first;
      }
      if (!it->second.ok()) {
        gaps_closed = false;
        why.push_back(absl::StrCat("无法按标准 ", r.standard(), " 评估：",
                                   it->second.status().message()));
      } else {
        for (const internal::StoredGap& gap : r.closes()) {
          auto [closed, sentence] =
              GapState(*it->second, gap, r.require_every_indicator());
          gaps_closed = gaps_closed && closed;
          why.push_back(std::move(sentence));
        }
      }
    }
    bool evidence_present = r.evidence_size() > 0;
    if (r.evidence_size() == 0) {
      why.push_back("尚未关联整改证据");
    } else if (!lookups.ok()) {
      evidence_present = false;
      why.push_back(absl::StrCat("证据状态未知：档案服务未答复（",
                                 lookups.status().message(), "）"));
    } else {
      int present = 0;
      for (const std::string& e : r.evidence()) {
        const size_t at = static_cast<size_t>(
            std::lower_bound(linked.begin(), linked.end(), e) - linked.begin());
        switch ((*lookups)[at]) {
          case EvidenceSource::Lookup::kPresent:
            ++present;
            break;
          case EvidenceSource::Lookup::kDeleted:
            evidence_present = false;
            why.push_back(absl::StrCat("证据 ", e, " 已被删除"));
            break;
          case EvidenceSource::Lookup::kNotFound:
            evidence_present = false;
            why.push_back(absl::StrCat("证据 ", e, " 不在档案中"));
            break;
          case EvidenceSource::Lookup::kNotVisible:
            evidence_present = false;
            why.push_back(
                absl::StrCat("证据 ", e, " 不在您的查看范围内，无法核验"));
            break;
        }
      }
      if (evidence_present) {
        why.push_back(absl::StrCat("整改证据 ", present, " 份均在档案中"));
      }
    }
    const bool verified = gaps_closed && evidence_present;
    t.status = verified ? ItemStatus::kVerified
                        : StoredStatus(r.status()).value_or(ItemStatus::kOpen);
    t.overdue = !verified && r.deadline_us() != 0 &&
                now > absl::FromUnixMicros(r.deadline_us());
    t.verification = absl::StrCat(verified ? "已核验：" : "未核验：",
                                  absl::StrJoin(why, "；"));
    t.stored = std::move(item);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace junheng::checklist
