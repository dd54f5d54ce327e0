// ApplyPlan and the columns a plan writes to.

#include <cmath>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "checklist_service/evaluator/exact.h"
#include "checklist_service/evaluator/inclusion.h"
#include "checklist_service/planner/planner.h"
#include "checklist_service/planner/school_fields.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using planner::Field;
using planner::FieldAt;

std::optional<double>* SharedFigure(SharedResources& resources,
                                    Quantity quantity) {
  switch (quantity) {
    case Quantity::kTeachingArea:
      return &resources.teaching_area_m2;
    case Quantity::kSportsArea:
      return &resources.sports_area_m2;
    case Quantity::kEquipmentValue:
      return &resources.equipment_value_yuan;
    default:
      return nullptr;
  }
}

std::optional<int64_t>* SharedCount(SharedResources& resources,
                                    Quantity quantity) {
  switch (quantity) {
    case Quantity::kMultimediaClassrooms:
      return &resources.multimedia_classrooms;
    case Quantity::kComputers:
      return &resources.computers;
    case Quantity::kBooks:
      return &resources.books;
    default:
      return nullptr;
  }
}

std::optional<int64_t>* TeacherCount(LevelStats& part, Quantity quantity) {
  switch (quantity) {
    case Quantity::kTeachersAboveDegree:
      return &part.teachers_above_degree;
    case Quantity::kBackboneTeachers:
      return &part.backbone_teachers;
    case Quantity::kPeArtTeachers:
      return &part.pe_art_teachers;
    case Quantity::kTeachers:
      return &part.teachers;
    case Quantity::kSeniorTitleTeachers:
      return &part.senior_title_teachers;
    default:
      return nullptr;
  }
}

LevelStats& Part(SchoolStats& school, v1::Level level) {
  return level == v1::LEVEL_JUNIOR ? school.junior : school.primary;
}

// The exact decimal `a + b` of two reported decimals, as the double nearest
// it, so that the evaluator recovers the sum exactly (exact.h). nullopt when
// the sum has more significant digits than a figure may have.
std::optional<double> AddDecimals(double a, double b) {
  const mpq_class sum = ReportedDecimal(a) + ReportedDecimal(b);
  // Both are decimals, so 10ᵏ·sum is whole for the larger k of the two.
  mpz_class scale = 1;
  int decimals = 0;
  while (mpz_class(scale % sum.get_den()) != 0) {
    scale *= 10;
    if (++decimals > 20) return std::nullopt;
  }
  const mpz_class scaled = sum.get_num() * (scale / sum.get_den());
  std::string digits = mpz_class(abs(scaled)).get_str();
  std::string trimmed = digits;
  while (trimmed.size() > 1 && trimmed.back() == '0') trimmed.pop_back();
  if (static_cast<int>(trimmed.size()) > kMaxSignificantDigits) {
    return std::nullopt;
  }
  if (decimals > 0) {
    if (static_cast<int>(digits.size()) <= decimals) {
      digits.insert(0, decimals - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - decimals, ".");
  }
  if (scaled < 0) digits.insert(0, "-");
  return std::strtod(digits.c_str(), nullptr);
}

std::string Where(size_t i, const PlanAction& action) {
  return absl::StrCat("actions[", i, "] (", InfoOf(action.resource).column,
                      " at school ", action.school_code, ")");
}

// Adds `amount` (positive or negative, whole) to a reported field.
absl::Status Add(Field field, double amount, absl::string_view where,
                 absl::string_view column) {
  if (!field.reported()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", column,
                     " is not reported; nothing to add to (import it first)"));
  }
  if (field.count != nullptr) {
    const double sum = static_cast<double>(**field.count) + amount;
    if (sum < 0 || sum > 1e15) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", column, " would become ", sum));
    }
    *field.count = static_cast<int64_t>(sum);
    return absl::OkStatus();
  }
  const std::optional<double> sum = AddDecimals(**field.figure, amount);
  if (!sum.has_value() || *sum < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", column, " + ", amount,
                     " is not a figure the data admits"));
  }
  *field.figure = *sum;
  return absl::OkStatus();
}

const char* Prefix(v1::Level level) {
  switch (level) {
    case v1::LEVEL_PRIMARY:
      return "p_";
    case v1::LEVEL_JUNIOR:
      return "j_";
    default:
      return "";
  }
}

}  // namespace

namespace planner {

Field FieldAt(SchoolStats& school, v1::Level level, Quantity quantity) {
  Field field;
  if (IsTeacherKind(quantity)) {
    if (level == v1::LEVEL_PRIMARY || level == v1::LEVEL_JUNIOR) {
      field.count = TeacherCount(Part(school, level), quantity);
    }
    return field;
  }
  SharedResources& resources =
      level == v1::LEVEL_ALL ? school.shared : Part(school, level).own;
  field.figure = SharedFigure(resources, quantity);
  if (field.figure == nullptr) field.count = SharedCount(resources, quantity);
  return field;
}

std::optional<double> ReportedAt(const SchoolStats& school, v1::Level level,
                                 Quantity quantity) {
  // Only read through the pointers FieldAt returns.
  const Field field =
      FieldAt(const_cast<SchoolStats&>(school), level, quantity);
  if (!field.reported()) return std::nullopt;
  return field.value();
}

bool HasPart(const SchoolStats& school, v1::Level level) {
  for (v1::Level part : PartsOf(school.type)) {
    if (part == level) return true;
  }
  return false;
}

v1::Level TargetLevel(const SchoolStats& school, v1::Level level,
                      Quantity quantity) {
  if (IsTeacherKind(quantity)) return level;
  return ReportedAt(school, level, quantity).has_value() ? level
                                                         : v1::LEVEL_ALL;
}

}  // namespace planner

bool IsTeacherKind(Quantity quantity) {
  switch (quantity) {
    case Quantity::kTeachersAboveDegree:
    case Quantity::kBackboneTeachers:
    case Quantity::kPeArtTeachers:
    case Quantity::kTeachers:
    case Quantity::kSeniorTitleTeachers:
      return true;
    default:
      return false;
  }
}

absl::Span<const Quantity> PlannableResources() {
  static constexpr Quantity kResources[] = {Quantity::kTeachersAboveDegree,
                                            Quantity::kBackboneTeachers,
                                            Quantity::kPeArtTeachers,
                                            Quantity::kTeachers,
                                            Quantity::kSeniorTitleTeachers,
                                            Quantity::kTeachingArea,
                                            Quantity::kSportsArea,
                                            Quantity::kEquipmentValue,
                                            Quantity::kMultimediaClassrooms,
                                            Quantity::kComputers,
                                            Quantity::kBooks};
  return kResources;
}

std::optional<Quantity> ResourceOfColumn(absl::string_view column) {
  for (Quantity quantity : PlannableResources()) {
    if (column == InfoOf(quantity).column) return quantity;
  }
  return std::nullopt;
}

namespace planner {

absl::Status ApplyAction(CountyInput& out, size_t i, const PlanAction& action,
                         SchoolStats* school_ptr, SchoolStats* donor_ptr) {
  const std::string where = Where(i, action);
  if (action.resource == Quantity::kNone) {
    return absl::InvalidArgumentError(
        absl::StrCat("actions[", i, "]: no resource"));
  }
  if (school_ptr == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": no such school in county ",
                     out.county.county_code, " for ", out.county.year));
  }
  SchoolStats& school = *school_ptr;
  if (!(action.quantity > 0) || !std::isfinite(action.quantity) ||
      action.quantity != std::trunc(action.quantity) ||
      action.quantity > 1e15) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": quantity ", action.quantity,
        " must be a positive whole number of ", InfoOf(action.resource).unit));
  }
  const bool teacher = IsTeacherKind(action.resource);
  const bool part_level =
      action.level == v1::LEVEL_PRIMARY || action.level == v1::LEVEL_JUNIOR;
  if (teacher ? !part_level : !(part_level || action.level == v1::LEVEL_ALL)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": level must be ",
                     teacher ? "the primary or junior part (teachers are "
                               "reported per part)"
                             : "a part or the whole school"));
  }
  if (part_level && !HasPart(school, action.level)) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": a ", SchoolTypeName(school.type),
                     " school has no ", Prefix(action.level), " part"));
  }
  const std::string column =
      absl::StrCat(Prefix(action.level), InfoOf(action.resource).column);
  const int64_t n = static_cast<int64_t>(action.quantity);

  if (action.kind == PlanAction::Kind::kAdd) {
    absl::Status added = Add(FieldAt(school, action.level, action.resource),
                             action.quantity, where, column);
    if (!added.ok()) return added;
    if (teacher) {
      // A teacher hired is a teacher, and a qualified one.
      LevelStats& part = Part(school, action.level);
      if (action.resource != Quantity::kTeachers && part.teachers.has_value()) {
        *part.teachers += n;
      }
      if (part.certified_teachers.has_value()) *part.certified_teachers += n;
    }
    return absl::OkStatus();
  }

  // A rotation: everything is checked before anything moves.
  if (!teacher) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": only teachers rotate between schools"));
  }
  if (donor_ptr == nullptr || donor_ptr == school_ptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": the donor school ", action.from_school_code,
                     donor_ptr == nullptr ? " is not in the county"
                                          : " is the receiving school"));
  }
  SchoolStats& donor = *donor_ptr;
  if (!HasPart(donor, action.level)) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": donor ", donor.school_code, " has no ", Prefix(action.level),
        " part; teachers rotate within one level"));
  }
  LevelStats& from = Part(donor, action.level);
  LevelStats& to = Part(school, action.level);
  std::optional<int64_t>* from_count = TeacherCount(from, action.resource);
  if (!from_count->has_value() || **from_count < n) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": donor ", donor.school_code, " has ",
        from_count->has_value() ? absl::StrCat(**from_count) : "no reported",
        " ", column, ", fewer than ", n));
  }
  if (!TeacherCount(to, action.resource)->has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": ", column,
                     " is not reported; nothing to add to (import it first)"));
  }
  // The teacher moves with every count it is part of. Rotated teachers hold
  // a certificate (G12 requires every teacher to), so a donor's certified
  // share cannot fall.
  const bool move_certified =
      from.certified_teachers.has_value() && to.certified_teachers.has_value();
  if (move_certified && *from.certified_teachers < n) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": donor ", donor.school_code, " has only ",
                     *from.certified_teachers, " certified teachers"));
  }
  **from_count -= n;
  **TeacherCount(to, action.resource) += n;
  if (action.resource != Quantity::kTeachers && from.teachers.has_value() &&
      to.teachers.has_value()) {
    *from.teachers -= n;
    *to.teachers += n;
  }
  if (move_certified) {
    *from.certified_teachers -= n;
    *to.certified_teachers += n;
  }
  return absl::OkStatus();
}

}  // namespace planner

absl::StatusOr<CountyInput> ApplyPlan(const CountyInput& input,
                                      absl::Span<const PlanAction> actions) {
  CountyInput out = input;
  absl::flat_hash_map<std::string, SchoolStats*> schools;
  for (SchoolStats& school : out.schools) schools[school.school_code] = &school;
  auto find = [&](const std::string& code) -> SchoolStats* {
    auto found = schools.find(code);
    return found == schools.end() ? nullptr : found->second;
  };
  for (size_t i = 0; i < actions.size(); ++i) {
    absl::Status status =
        planner::ApplyAction(out, i, actions[i], find(actions[i].school_code),
                             find(actions[i].from_school_code));
    if (!status.ok()) return status;
  }
  return out;
}

}  // namespace junheng::checklist
