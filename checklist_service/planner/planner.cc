// PlanRectification: the school rule per school, then the coefficients, then
// the evaluator's word.
//
// The search works on a copy of the county with the plan so far applied, and
// asks the evaluator for the verdict after each step, so every figure it
// reasons from is one the evaluator computed: the planner decides what to
// try, never whether it passes.
//
//  1. School rule. For each school with a failing part, every way of meeting
//     the rule is enumerated: which misses to leave (each brought to the
//     rule's floor) and which to close (each to its threshold); a nine- or
//     twelve-year school's parts share their building and equipment, so the
//     choices of its parts are taken together and a shared addition is the
//     larger of what the parts need. The cheapest is kept. Amounts are exact
//     (rational arithmetic on the reported decimals, exact.h), rounded up to
//     whole units.
//  2. Teachers are rotated before any is hired: from the part of the same
//     level that has the most of the kind per student and keeps at least
//     its threshold after giving, and only when the move also lowers the
//     kind's coefficient.
//  3. Each coefficient over its limit: rotations first (for teacher kinds),
//     then water-filling (water_fill.h), rounded up to whole units.
//  4. Repeat while the evaluator still finds a gap (a shared addition at a
//     nine-year school moves the other level's coefficient too), a few
//     rounds at most.

#include "checklist_service/planner/planner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "checklist_service/evaluator/apportion.h"
#include "checklist_service/evaluator/evaluator.h"
#include "checklist_service/evaluator/exact.h"
#include "checklist_service/evaluator/inclusion.h"
#include "checklist_service/evaluator/outcome.h"
#include "checklist_service/evaluator/school_indicators.h"
#include "checklist_service/planner/school_fields.h"
#include "checklist_service/planner/water_fill.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using planner::FillTerm;
using planner::HasPart;
using planner::ReportedAt;
using planner::TargetLevel;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kRounds = 8;

mpq_class Whole(int64_t n) {
  return mpq_class(mpz_class(static_cast<long>(n)));
}

// ⌈q⌉ for q ≥ 0.
int64_t Ceil(const mpq_class& q) {
  mpz_class out;
  mpz_cdiv_q(out.get_mpz_t(), q.get_num_mpz_t(), q.get_den_mpz_t());
  return out.get_si();
}

// Where an addition goes: a part's column or the whole school's.
struct Target {
  int school = 0;
  v1::Level level = v1::LEVEL_ALL;
  Quantity quantity = Quantity::kNone;
  friend bool operator<(const Target& a, const Target& b) {
    return std::tie(a.school, a.level, a.quantity) <
           std::tie(b.school, b.level, b.quantity);
  }
};

// Units wanted at a target, and what they close.
struct Requirement {
  Target target;
  int64_t units = 0;
  PlanGap gap;
};

struct ActionKey {
  PlanAction::Kind kind;
  int school;
  int from;
  v1::Level level;
  Quantity quantity;
  friend bool operator<(const ActionKey& a, const ActionKey& b) {
    return std::tie(a.kind, a.school, a.from, a.level, a.quantity) <
           std::tie(b.kind, b.school, b.from, b.level, b.quantity);
  }
};

class Planner {
 public:
  Planner(const v1::IndicatorStandard& standard, const CountyInput& input,
          const CostModel& costs, const PlanOptions& options)
      : standard_(standard),
        input_(input),
        costs_(costs),
        options_(options),
        work_(input),
        items_(PlanSchoolLevels(standard)),
        factors_(standard.parameters().apportion_factors()) {}

  absl::StatusOr<Plan> Run();

 private:
  absl::Status Evaluate();
  Outcome ResourceOutcome() const;
  int ItemIndex(absl::string_view code) const;

  std::optional<double> Price(Quantity quantity) const;
  // Units that may still be added of `quantity` at school `school`.
  double Remaining(int school, Quantity quantity) const;
  bool MayRotate(int school, Quantity quantity) const;

  // The exact units to add at `target` for the part's quantity to reach
  // goal·P/per (0 if it does).
  int64_t UnitsToReach(int school, v1::Level level,
                       const SchoolLevelPlan::Item& item, const mpq_class& goal,
                       v1::Level target) const;

  void PlanSchoolRule(int school);
  // Supplies `units` teachers of `need.target` by rotation where a donor has
  // them to spare, then by hiring; false when neither can.
  bool SupplyTeachers(const Requirement& need, int64_t units);
  bool RotateOne(int donor, int receiver, v1::Level level, Quantity quantity,
                 const PlanGap& gap);
  void Add(const Target& target, int64_t units, const PlanGap& gap);

  void PlanCoefficient(const CoefficientResult& coefficient);
  // A counted part's current quantity of the kind (teachers: whole counts).
  int64_t Count(int school, v1::Level level, Quantity quantity) const;
  // How much of a unit added where the plan adds `quantity` for the `level`
  // part reaches that part: 1, or its apportioned share of a whole-school
  // figure (0 when the share cannot be computed).
  double TargetShare(int school, v1::Level level, Quantity quantity) const;
  // Most teachers of the kind the part can give and keep its threshold;
  // 0 when it does not meet it.
  int64_t Spare(int school, v1::Level level,
                const SchoolLevelPlan::Item& item) const;

  void Obstacle(PlanObstacle::Kind kind, PlanGap gap, std::string message) {
    for (const PlanObstacle& seen : obstacles_) {
      if (seen.message == message) return;
    }
    obstacles_.push_back({kind, std::move(gap), std::move(message)});
  }
  std::string SchoolLabel(int school) const {
    return absl::StrCat(input_.schools[school].school_code, " ",
                        input_.schools[school].school_name);
  }

  const v1::IndicatorStandard& standard_;
  const CountyInput& input_;
  const CostModel& costs_;
  const PlanOptions options_;
  CountyInput work_;
  CountyVerdict verdict_;
  const SchoolLevelPlan items_;
  const v1::ApportionFactors& factors_;
  std::map<ActionKey, PlanAction> actions_;
  // Units added so far, by school and resource (rotations in included).
  std::map<std::pair<int, Quantity>, double> used_;
  std::vector<PlanObstacle> obstacles_;
  std::set<int> blocked_schools_;
};

absl::Status Planner::Evaluate() {
  absl::StatusOr<CountyVerdict> verdict = EvaluateCounty(standard_, work_);
  if (!verdict.ok()) return verdict.status();
  verdict_ = *std::move(verdict);
  return absl::OkStatus();
}

Outcome Planner::ResourceOutcome() const {
  const std::string& area = standard_.school_rule().area();
  for (const AreaVerdict& verdict : verdict_.areas) {
    if (verdict.code == area) return verdict.outcome;
  }
  return Outcome::kNotReported;
}

int Planner::ItemIndex(absl::string_view code) const {
  for (size_t k = 0; k < items_.items.size(); ++k) {
    if (items_.items[k].indicator->code() == code) return static_cast<int>(k);
  }
  return -1;
}

std::optional<double> Planner::Price(Quantity quantity) const {
  auto found = costs_.unit_cost_yuan.find(quantity);
  if (found == costs_.unit_cost_yuan.end()) return std::nullopt;
  return found->second;
}

double Planner::Remaining(int school, Quantity quantity) const {
  double limit = kInf;
  auto per_school = costs_.max_units.find(input_.schools[school].school_code);
  if (per_school != costs_.max_units.end()) {
    auto found = per_school->second.find(quantity);
    if (found != per_school->second.end()) limit = found->second;
  }
  auto used = used_.find({school, quantity});
  return limit - (used == used_.end() ? 0 : used->second);
}

bool Planner::MayRotate(int school, Quantity quantity) const {
  auto per_school = costs_.max_units.find(input_.schools[school].school_code);
  if (per_school == costs_.max_units.end()) return true;
  auto found = per_school->second.find(quantity);
  return found == per_school->second.end() || found->second > 0;
}

int64_t Planner::UnitsToReach(int school, v1::Level level,
                              const SchoolLevelPlan::Item& item,
                              const mpq_class& goal, v1::Level target) const {
  const SchoolStats& stats = work_.schools[school];
  const int64_t students = *PartStats(stats, level).students;
  const mpq_class required =
      goal * Whole(students) / ReportedDecimal(item.spec->per_students);
  const std::optional<mpq_class> have =
      ExactPartQuantity(stats, level, item.spec->quantity, factors_);
  if (!have.has_value() || *have >= required) return 0;
  mpq_class gap = required - *have;
  if (target == v1::LEVEL_ALL && PartsOf(stats.type).size() > 1) {
    gap /= *ExactApportionShare(stats, level, factors_);
  }
  return Ceil(gap);
}

int64_t Planner::Count(int school, v1::Level level, Quantity quantity) const {
  return static_cast<int64_t>(
      ReportedAt(work_.schools[school], level, quantity).value_or(0));
}

double Planner::TargetShare(int school, v1::Level level,
                            Quantity quantity) const {
  const SchoolStats& stats = work_.schools[school];
  if (TargetLevel(stats, level, quantity) != v1::LEVEL_ALL) return 1.0;
  return ApportionShare(stats, level, factors_).value_or(0);
}

int64_t Planner::Spare(int school, v1::Level level,
                       const SchoolLevelPlan::Item& item) const {
  const v1::Threshold* threshold =
      item.threshold[level == v1::LEVEL_JUNIOR ? 1 : 0];
  const SchoolStats& stats = work_.schools[school];
  const std::optional<int64_t> students = PartStats(stats, level).students;
  if (threshold == nullptr || !students.has_value() || *students <= 0) return 0;
  const int64_t needed =
      Ceil(ReportedDecimal(threshold->value()) * Whole(*students) /
           ReportedDecimal(item.spec->per_students));
  return std::max<int64_t>(0,
                           Count(school, level, item.spec->quantity) - needed);
}

void Planner::Add(const Target& target, int64_t units, const PlanGap& gap) {
  if (units <= 0) return;
  PlanAction action;
  action.kind = PlanAction::Kind::kAdd;
  action.school_code = input_.schools[target.school].school_code;
  action.level = target.level;
  action.resource = target.quantity;
  action.quantity = static_cast<double>(units);
  const absl::Status applied = planner::ApplyAction(
      work_, 0, action, &work_.schools[target.school], nullptr);
  if (!applied.ok()) {
    Obstacle(PlanObstacle::Kind::kNotReported, gap,
             absl::StrCat("学校 ", SchoolLabel(target.school), "：",
                          applied.message()));
    return;
  }
  used_[{target.school, target.quantity}] += static_cast<double>(units);
  const ActionKey key{PlanAction::Kind::kAdd, target.school, -1, target.level,
                      target.quantity};
  auto [it, inserted] = actions_.try_emplace(key, action);
  if (!inserted) it->second.quantity += action.quantity;
  it->second.closes.push_back(gap);
}

bool Planner::RotateOne(int donor, int receiver, v1::Level level,
                        Quantity quantity, const PlanGap& gap) {
  PlanAction action;
  action.kind = PlanAction::Kind::kRotate;
  action.school_code = input_.schools[receiver].school_code;
  action.from_school_code = input_.schools[donor].school_code;
  action.level = level;
  action.resource = quantity;
  action.quantity = 1;
  if (!planner::ApplyAction(work_, 0, action, &work_.schools[receiver],
                            &work_.schools[donor])
           .ok()) {
    return false;
  }
  used_[{receiver, quantity}] += 1;
  const ActionKey key{PlanAction::Kind::kRotate, receiver, donor, level,
                      quantity};
  auto [it, inserted] = actions_.try_emplace(key, action);
  if (!inserted) it->second.quantity += 1;
  it->second.closes.push_back(gap);
  return true;
}

// Whether moving one teacher from part d (Q_d of P_d) to part r lowers
// Σ Q²/P, and with it the coefficient (Σ Q is unchanged):
// (Q_d−1)²/P_d + (Q_r+1)²/P_r < Q_d²/P_d + Q_r²/P_r.
bool MoveLowers(int64_t q_d, int64_t p_d, int64_t q_r, int64_t p_r) {
  const __int128 left = static_cast<__int128>(2 * q_r + 1) * p_d;
  const __int128 right = static_cast<__int128>(2 * q_d - 1) * p_r;
  return left < right;
}

bool Planner::SupplyTeachers(const Requirement& need, int64_t units) {
  const Target& target = need.target;
  const int item_index = ItemIndex(need.gap.indicator);
  const std::optional<double> hire = Price(target.quantity);
  const bool rotate =
      costs_.rotation_cost_yuan.has_value() &&
      (!hire.has_value() || *costs_.rotation_cost_yuan < *hire) &&
      item_index >= 0 && MayRotate(target.school, target.quantity);
  while (units > 0 && rotate) {
    const SchoolLevelPlan::Item& item = items_.items[item_index];
    const int64_t p_r =
        *PartStats(work_.schools[target.school], target.level).students;
    const int64_t q_r = Count(target.school, target.level, target.quantity);
    // The donor with the most per student that can spare one.
    int best = -1;
    double best_value = -1;
    for (size_t d = 0; d < work_.schools.size(); ++d) {
      const int donor = static_cast<int>(d);
      if (donor == target.school ||
          verdict_.schools[d].inclusion != Inclusion::kCounted ||
          blocked_schools_.count(donor) > 0 ||
          !MayRotate(donor, target.quantity)) {
        continue;
      }
      if (!HasPart(work_.schools[d], target.level)) continue;
      const std::optional<int64_t> p_d =
          PartStats(work_.schools[d], target.level).students;
      if (!p_d.has_value() || *p_d <= 0) continue;
      if (Spare(donor, target.level, item) <= 0) continue;
      const int64_t q_d = Count(donor, target.level, target.quantity);
      if (!MoveLowers(q_d, *p_d, q_r, p_r)) continue;
      const double value = static_cast<double>(q_d) / static_cast<double>(*p_d);
      if (value > best_value) best_value = value, best = donor;
    }
    if (best < 0) break;
    if (!RotateOne(best, target.school, target.level, target.quantity,
                   need.gap)) {
      break;
    }
    --units;
  }
  if (units == 0) return true;
  if (!hire.has_value() ||
      Remaining(target.school, target.quantity) < static_cast<double>(units)) {
    return false;
  }
  Add(target, units, need.gap);
  return true;
}

void Planner::PlanSchoolRule(int school) {
  const SchoolVerdict& verdict = verdict_.schools[school];
  const SchoolStats& stats = work_.schools[school];
  const std::string code = stats.school_code;
  const bool teachers_rotate = costs_.rotation_cost_yuan.has_value();

  // Per part, the ways to meet the rule: each a list of requirements.
  std::vector<std::vector<std::vector<Requirement>>> part_choices;
  for (const SchoolLevelVerdict& part : verdict.levels) {
    const v1::Level level = part.level;
    const int allowed = options_.require_every_indicator
                            ? 0
                            : part.rule_indicators - part.min_met;
    struct Miss {
      Requirement to_threshold;
      Requirement to_floor;
    };
    std::vector<Miss> misses;
    bool blocked = false;
    for (size_t k = 0; k < part.indicators.size(); ++k) {
      const IndicatorResult& result = part.indicators[k];
      if (!result.in_school_rule) continue;
      const SchoolLevelPlan::Item& item = items_.items[k];
      const PlanGap gap{std::string(result.code), level, false, code};
      if (result.outcome == Outcome::kNotReported) {
        Obstacle(PlanObstacle::Kind::kNotReported, gap,
                 absl::StrCat("学校 ", SchoolLabel(school), " ",
                              LevelNameZh(level), "部 ", result.code,
                              "：数据未填报，补报后才能判断和规划"));
        blocked = true;
        continue;
      }
      if (result.outcome != Outcome::kFail) continue;
      const Measurement& m = result.measurements.front();
      if (!HigherIsBetter(m.comparison)) {
        Obstacle(PlanObstacle::Kind::kConstrained, gap,
                 absl::StrCat("学校 ", SchoolLabel(school), " ", result.code,
                              "：上限类指标无法通过增加资源整改"));
        blocked = true;
        continue;
      }
      const Quantity quantity = item.spec->quantity;
      const v1::Level target = TargetLevel(stats, level, quantity);
      const mpq_class threshold = ReportedDecimal(*m.threshold);
      Miss miss;
      miss.to_threshold = {{school, target, quantity},
                           UnitsToReach(school, level, item, threshold, target),
                           gap};
      if (m.comparison == v1::COMPARISON_GREATER_THAN) {
        ++miss.to_threshold.units;  // strictly above: one unit more at a tie
      }
      miss.to_floor = {
          {school, target, quantity},
          UnitsToReach(school, level, item,
                       threshold * ReportedDecimal(part.floor_fraction),
                       target),
          gap};
      misses.push_back(miss);
    }
    if (blocked) {
      blocked_schools_.insert(school);
      return;
    }
    std::vector<std::vector<Requirement>> choices;
    const int n = static_cast<int>(misses.size());
    for (int mask = 0; mask < (1 << n); ++mask) {
      if (__builtin_popcount(mask) > allowed) continue;
      std::vector<Requirement>& choice = choices.emplace_back();
      for (int i = 0; i < n; ++i) {
        const Requirement& r =
            (mask >> i & 1) ? misses[i].to_floor : misses[i].to_threshold;
        if (r.units > 0) choice.push_back(r);
      }
    }
    part_choices.push_back(std::move(choices));
  }

  // Every combination of the parts' choices; a target two parts share takes
  // the larger need.
  std::vector<size_t> index(part_choices.size(), 0);
  std::optional<double> best_cost;
  std::map<Target, Requirement> best;
  std::string why_not;
  while (true) {
    std::map<Target, Requirement> merged;
    for (size_t p = 0; p < part_choices.size(); ++p) {
      for (const Requirement& r : part_choices[p][index[p]]) {
        auto [it, inserted] = merged.try_emplace(r.target, r);
        if (!inserted && r.units > it->second.units) it->second = r;
      }
    }
    double cost = 0;
    bool ok = true;
    for (const auto& [target, r] : merged) {
      std::optional<double> price = Price(target.quantity);
      if (IsTeacherKind(target.quantity) && teachers_rotate &&
          (!price.has_value() || *costs_.rotation_cost_yuan < *price)) {
        price = *costs_.rotation_cost_yuan;  // if a donor can spare them
      }
      if (!price.has_value() ||
          (Remaining(school, target.quantity) < static_cast<double>(r.units) &&
           !(IsTeacherKind(target.quantity) && teachers_rotate))) {
        ok = false;
        why_not = absl::StrCat(
            r.gap.indicator, " ", LevelNameZh(r.gap.level), "部需增加 ",
            r.units, " ", InfoOf(target.quantity).unit_zh, "，但",
            price.has_value() ? "该校不能再增加" : "成本模型没有此项的单价",
            " ", InfoOf(target.quantity).column);
        break;
      }
      cost += *price * static_cast<double>(r.units);
    }
    if (ok && (!best_cost.has_value() || cost < *best_cost)) {
      best_cost = cost;
      best = merged;
    }
    size_t p = 0;
    while (p < index.size() && ++index[p] == part_choices[p].size()) {
      index[p++] = 0;
    }
    if (p == index.size()) break;
  }
  if (!best_cost.has_value()) {
    blocked_schools_.insert(school);
    Obstacle(
        PlanObstacle::Kind::kConstrained,
        {"school_rule", verdict.levels.front().level, false, code},
        absl::StrCat("学校 ", SchoolLabel(school),
                     "：在限制条件下无法达到校际达标规则（", why_not, "）"));
    return;
  }
  for (const auto& [target, r] : best) {
    if (IsTeacherKind(target.quantity)) {
      if (!SupplyTeachers(r, r.units)) {
        blocked_schools_.insert(school);
        Obstacle(PlanObstacle::Kind::kConstrained, r.gap,
                 absl::StrCat("学校 ", SchoolLabel(school), " ",
                              r.gap.indicator, "：需要 ", r.units,
                              " 名教师，既无可交流的教师，也不能新聘"));
      }
    } else {
      Add(target, r.units, r.gap);
    }
  }
}

void Planner::PlanCoefficient(const CoefficientResult& coefficient) {
  const PlanGap gap{coefficient.code, coefficient.level, true, ""};
  const int item_index = ItemIndex(coefficient.code);
  if (item_index < 0 || !coefficient.limit.has_value()) return;
  const SchoolLevelPlan::Item& item = items_.items[item_index];
  const Quantity quantity = item.spec->quantity;
  const double per = item.spec->per_students;
  const double limit = *coefficient.limit;
  const v1::Level level = coefficient.level;

  // The parts in the coefficient, as the evaluator counted them.
  struct Part {
    int school;
    int64_t students;
  };
  std::vector<Part> parts;
  for (size_t i = 0; i < verdict_.schools.size(); ++i) {
    for (const SchoolLevelVerdict& part : verdict_.schools[i].levels) {
      if (part.level != level || !part.students.has_value() ||
          *part.students <= 0) {
        continue;
      }
      parts.push_back({static_cast<int>(i), *part.students});
    }
  }
  auto quantity_of = [&](const Part& part) {
    return PartQuantity(work_.schools[part.school], level, quantity, factors_)
        .value_or(0);
  };
  auto terms = [&](bool raisable) {
    std::vector<FillTerm> out;
    for (const Part& part : parts) {
      FillTerm term;
      term.students = static_cast<double>(part.students);
      term.value = quantity_of(part) * per / term.students;
      term.max_value = term.value;
      if (raisable && Price(quantity).has_value()) {
        const double share = TargetShare(part.school, level, quantity);
        const double room = Remaining(part.school, quantity);
        if (share > 0 && room > 0) {
          term.max_value = std::isfinite(room)
                               ? term.value + room * share * per / term.students
                               : kInf;
        }
      }
      out.push_back(term);
    }
    return out;
  };

  // Rotations: from the part with the most per student that can spare a
  // teacher to the part with the least, while that lowers the coefficient.
  const bool rotate = IsTeacherKind(quantity) &&
                      costs_.rotation_cost_yuan.has_value() &&
                      (!Price(quantity).has_value() ||
                       *costs_.rotation_cost_yuan < *Price(quantity));
  auto rotate_once = [&](const std::vector<FillTerm>& now) {
    int donor = -1, receiver = -1;
    for (size_t i = 0; i < parts.size(); ++i) {
      const int s = parts[i].school;
      if (blocked_schools_.count(s) > 0 || !MayRotate(s, quantity)) continue;
      if (receiver < 0 || now[i].value < now[receiver].value) {
        receiver = static_cast<int>(i);
      }
      if (Spare(s, level, item) > 0 &&
          (donor < 0 || now[i].value > now[donor].value)) {
        donor = static_cast<int>(i);
      }
    }
    return donor >= 0 && receiver >= 0 &&
           parts[donor].school != parts[receiver].school &&
           MoveLowers(Count(parts[donor].school, level, quantity),
                      parts[donor].students,
                      Count(parts[receiver].school, level, quantity),
                      parts[receiver].students) &&
           RotateOne(parts[donor].school, parts[receiver].school, level,
                     quantity, gap);
  };
  if (rotate) {
    bool rotated = false;
    for (int moves = 0; moves < 100000; ++moves) {
      const std::vector<FillTerm> now = terms(false);
      if (planner::WithinApprox(now, limit) || !rotate_once(now)) break;
      rotated = true;
    }
    // The evaluator judges the rotations before anything is hired.
    if (rotated) return;
  }

  const std::vector<FillTerm> fill = terms(true);
  if (planner::WithinApprox(fill, limit)) {
    // Within in doubles but not exactly (a tie the evaluator decides the
    // other way): one teacher more rotated, or one unit more at the lowest
    // raisable part.
    if (rotate && rotate_once(terms(false))) return;
    int lowest = -1;
    for (size_t i = 0; i < fill.size(); ++i) {
      if (fill[i].max_value > fill[i].value &&
          (lowest < 0 || fill[i].value < fill[lowest].value)) {
        lowest = static_cast<int>(i);
      }
    }
    if (lowest >= 0) {
      const Part& part = parts[lowest];
      Add({part.school,
           TargetLevel(work_.schools[part.school], level, quantity), quantity},
          1, gap);
    }
    return;
  }
  const std::optional<double> t = planner::WaterLevel(fill, limit);
  if (!t.has_value()) {
    bool capped = false;
    for (const FillTerm& term : fill) capped |= std::isfinite(term.max_value);
    Obstacle(capped ? PlanObstacle::Kind::kConstrained
                    : PlanObstacle::Kind::kUnbounded,
             gap,
             absl::StrCat(coefficient.code, " ", LevelNameZh(level),
                          "差异系数：即使在所有允许增加的学校补足 ",
                          InfoOf(quantity).column, "，也无法降到 ", limit,
                          " 以下（其余学校的差距无法靠增加资源缩小）"));
    return;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!(fill[i].value < *t) || !(fill[i].max_value > fill[i].value)) continue;
    const Part& part = parts[i];
    const SchoolStats& stats = work_.schools[part.school];
    const v1::Level target = TargetLevel(stats, level, quantity);
    const double share = TargetShare(part.school, level, quantity);
    const double wanted = (std::min(*t, fill[i].max_value) *
                               static_cast<double>(part.students) / per -
                           quantity_of(part)) /
                          share;
    double units = std::ceil(wanted - 1e-9 * std::max(1.0, wanted));
    units = std::min(units, Remaining(part.school, quantity));
    if (units <= 0) continue;
    Add({part.school, target, quantity}, static_cast<int64_t>(units), gap);
  }
}

absl::StatusOr<Plan> Planner::Run() {
  if (!standard_.has_school_rule() || items_.items.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "standard ", standard_.id(),
        " has no school rule over school-level indicators; the planner "
        "plans the resource part of standards that limit each school part "
        "and each coefficient (moe-2017-quality and its variants)"));
  }
  for (const auto& [quantity, price] : costs_.unit_cost_yuan) {
    if (!(price >= 0) || !std::isfinite(price)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unit cost of ", InfoOf(quantity).column, " = ", price,
                       ": must be a non-negative number of yuan"));
    }
  }
  if (costs_.rotation_cost_yuan.has_value() &&
      (!(*costs_.rotation_cost_yuan >= 0) ||
       !std::isfinite(*costs_.rotation_cost_yuan))) {
    return absl::InvalidArgumentError(
        "rotation cost must be a non-negative number of yuan");
  }
  for (const auto& [school, limits] : costs_.max_units) {
    for (const auto& [quantity, units] : limits) {
      if (!(units >= 0)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "limit of ", InfoOf(quantity).column, " at school ", school, " = ",
            units, ": must be a non-negative number of units"));
      }
    }
  }
  if (absl::Status status = Evaluate(); !status.ok()) return status;
  Plan plan;
  plan.resource_before = ResourceOutcome();

  for (int round = 0; round < kRounds; ++round) {
    bool changed = false;
    const size_t actions_before = actions_.size();
    double used_before = 0;
    for (const auto& [key, units] : used_) used_before += units;
    for (size_t i = 0; i < verdict_.schools.size(); ++i) {
      const SchoolVerdict& school = verdict_.schools[i];
      if (blocked_schools_.count(static_cast<int>(i)) > 0) continue;
      if (school.inclusion == Inclusion::kUnknown) {
        Obstacle(PlanObstacle::Kind::kNotReported,
                 {"school_rule", v1::LEVEL_PRIMARY, false, school.school_code},
                 absl::StrCat("学校 ", SchoolLabel(static_cast<int>(i)), "：",
                              school.inclusion_reason));
        blocked_schools_.insert(static_cast<int>(i));
        continue;
      }
      bool fails = false;
      for (const SchoolLevelVerdict& part : school.levels) {
        fails |= part.outcome != Outcome::kPass;
        if (options_.require_every_indicator) fails |= part.missed > 0;
      }
      if (fails) PlanSchoolRule(static_cast<int>(i));
    }
    if (absl::Status status = Evaluate(); !status.ok()) return status;
    for (size_t c = 0; c < verdict_.coefficients.size(); ++c) {
      const CoefficientResult coefficient = verdict_.coefficients[c];
      if (coefficient.outcome == Outcome::kNotReported) {
        Obstacle(
            PlanObstacle::Kind::kNotReported,
            {coefficient.code, coefficient.level, true, ""},
            absl::StrCat(coefficient.code, " ", LevelNameZh(coefficient.level),
                         "差异系数：有学校的数据未填报，补报后才能计算"));
        continue;
      }
      if (coefficient.outcome != Outcome::kFail) continue;
      PlanCoefficient(coefficient);
      if (absl::Status status = Evaluate(); !status.ok()) return status;
    }
    double used_after = 0;
    for (const auto& [key, units] : used_) used_after += units;
    changed = actions_.size() != actions_before || used_after != used_before;
    if (ResourceOutcome() == Outcome::kPass || !changed) break;
  }

  // The plan as a list, priced, and checked against the original data.
  for (auto& [key, action] : actions_) {
    const double unit_cost = action.kind == PlanAction::Kind::kRotate
                                 ? *costs_.rotation_cost_yuan
                                 : *Price(action.resource);
    action.cost_yuan = unit_cost * action.quantity;
    std::vector<PlanGap> closes;
    for (const PlanGap& gap : action.closes) {
      bool seen = false;
      for (const PlanGap& kept : closes) {
        seen |= kept.indicator == gap.indicator && kept.level == gap.level &&
                kept.coefficient == gap.coefficient &&
                kept.school_code == gap.school_code;
      }
      if (!seen) closes.push_back(gap);
    }
    action.closes = std::move(closes);
    plan.total_cost_yuan += action.cost_yuan;
    plan.cost_by_resource[action.kind == PlanAction::Kind::kRotate
                              ? "rotation"
                              : InfoOf(action.resource).column] +=
        action.cost_yuan;
    plan.actions.push_back(std::move(action));
  }
  absl::StatusOr<CountyInput> applied = ApplyPlan(input_, plan.actions);
  if (!applied.ok()) {
    return absl::InternalError(
        absl::StrCat("the planner made a plan it cannot apply: ",
                     applied.status().message()));
  }
  work_ = *std::move(applied);
  if (absl::Status status = Evaluate(); !status.ok()) return status;
  plan.resource_after = ResourceOutcome();
  plan.obstacles = std::move(obstacles_);
  plan.feasible = plan.resource_after == Outcome::kPass;
  if (!plan.feasible && plan.obstacles.empty()) {
    // Every round made progress and still a gap remains; say so rather
    // than pretend.
    plan.obstacles.push_back(
        {PlanObstacle::Kind::kConstrained,
         {"resource", v1::LEVEL_ALL, false, ""},
         absl::StrCat(
             "经 ", kRounds,
             " 轮规划资源配置仍未达标，请缩小范围后重试或联系维护者")});
  }
  return plan;
}

}  // namespace

absl::StatusOr<Plan> PlanRectification(const v1::IndicatorStandard& standard,
                                       const CountyInput& input,
                                       const CostModel& costs,
                                       const PlanOptions& options) {
  return Planner(standard, input, costs, options).Run();
}

std::vector<CoefficientDrivers> DriversOf(const CountyVerdict& verdict) {
  std::vector<CoefficientDrivers> out;
  for (const CoefficientResult& coefficient : verdict.coefficients) {
    if (!coefficient.coefficient.has_value() ||
        !coefficient.county_value.has_value() ||
        !(*coefficient.county_value > 0) || coefficient.students <= 0) {
      continue;
    }
    CoefficientDrivers& drivers = out.emplace_back();
    drivers.indicator = coefficient.code;
    drivers.level = coefficient.level;
    drivers.coefficient = *coefficient.coefficient;
    drivers.limit = coefficient.limit;
    const double mean = *coefficient.county_value;
    const double n = static_cast<double>(coefficient.students);
    for (const SchoolVerdict& school : verdict.schools) {
      for (const SchoolLevelVerdict& part : school.levels) {
        if (part.level != coefficient.level || !part.students.has_value()) {
          continue;
        }
        for (const IndicatorResult& result : part.indicators) {
          if (result.code != coefficient.code ||
              !result.measurements.front().value.has_value()) {
            continue;
          }
          const double x = *result.measurements.front().value;
          const double p = static_cast<double>(*part.students);
          drivers.drivers.push_back(
              {school.school_code, *part.students, x,
               p * (x - mean) * (x - mean) / (n * mean * mean), x < mean});
        }
      }
    }
    std::stable_sort(
        drivers.drivers.begin(), drivers.drivers.end(),
        [](const CoefficientDriver& a, const CoefficientDriver& b) {
          return a.share_of_cv_squared > b.share_of_cv_squared;
        });
  }
  return out;
}

}  // namespace junheng::checklist
