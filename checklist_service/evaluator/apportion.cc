#include "checklist_service/evaluator/apportion.h"

#include "checklist_service/evaluator/exact.h"
#include "checklist_service/evaluator/inclusion.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

// One formula for both number types: double for the fast path, exact
// rationals (the decimals as reported, exact.h) when a decision needs them.
double Figure(double value, double) { return value; }
double Figure(int64_t value, double) { return static_cast<double>(value); }
mpq_class Figure(double value, mpq_class) { return ReportedDecimal(value); }
mpq_class Figure(int64_t value, mpq_class) {
  return mpq_class(mpz_class(static_cast<long>(value)));
}

template <typename Num, typename T>
std::optional<Num> As(const std::optional<T>& value) {
  if (!value.has_value()) return std::nullopt;
  return Figure(*value, Num());
}

template <typename Num>
std::optional<Num> Resource(const SharedResources& resources,
                            Quantity quantity) {
  switch (quantity) {
    case Quantity::kTeachingArea:
      return As<Num>(resources.teaching_area_m2);
    case Quantity::kSportsArea:
      return As<Num>(resources.sports_area_m2);
    case Quantity::kEquipmentValue:
      return As<Num>(resources.equipment_value_yuan);
    case Quantity::kMultimediaClassrooms:
      return As<Num>(resources.multimedia_classrooms);
    case Quantity::kComputers:
      return As<Num>(resources.computers);
    case Quantity::kBooks:
      return As<Num>(resources.books);
    default:
      return std::nullopt;
  }
}

template <typename Num>
std::optional<Num> Share(const SchoolStats& school, v1::Level level,
                         const v1::ApportionFactors& factors) {
  if (school.type != SchoolType::kNineYear &&
      school.type != SchoolType::kTwelveYear) {
    return Num(1);
  }
  const std::optional<Num> primary = As<Num>(school.primary.students);
  const std::optional<Num> junior = As<Num>(school.junior.students);
  if (!primary.has_value() || !junior.has_value()) return std::nullopt;
  Num senior(0);
  if (school.type == SchoolType::kTwelveYear) {
    if (!school.senior_students.has_value()) return std::nullopt;
    senior = Figure(factors.senior(), Num()) *
             Figure(*school.senior_students, Num());
  }
  const Num weighted_primary = Figure(factors.primary(), Num()) * *primary;
  const Num weighted_junior = Figure(factors.junior(), Num()) * *junior;
  const Num total = weighted_primary + weighted_junior + senior;
  if (!(total > 0)) return std::nullopt;
  return Num((level == v1::LEVEL_JUNIOR ? weighted_junior : weighted_primary) /
             total);
}

template <typename Num>
std::optional<Num> PartAmount(const SchoolStats& school, v1::Level level,
                              Quantity quantity,
                              const v1::ApportionFactors& factors) {
  const LevelStats& part = PartStats(school, level);
  switch (quantity) {
    case Quantity::kTeachersAboveDegree:
      return As<Num>(part.teachers_above_degree);
    case Quantity::kBackboneTeachers:
      return As<Num>(part.backbone_teachers);
    case Quantity::kPeArtTeachers:
      return As<Num>(part.pe_art_teachers);
    case Quantity::kTeachers:
      return As<Num>(part.teachers);
    case Quantity::kSeniorTitleTeachers:
      return As<Num>(part.senior_title_teachers);
    case Quantity::kNone:
      return std::nullopt;
    default:
      break;
  }
  if (std::optional<Num> own = Resource<Num>(part.own, quantity)) return own;
  const std::optional<Num> whole = Resource<Num>(school.shared, quantity);
  if (!whole.has_value()) return std::nullopt;
  const std::optional<Num> share = Share<Num>(school, level, factors);
  if (!share.has_value()) return std::nullopt;
  return Num(*whole * *share);
}

}  // namespace

std::optional<double> ApportionShare(const SchoolStats& school, v1::Level level,
                                     const v1::ApportionFactors& factors) {
  return Share<double>(school, level, factors);
}

std::optional<mpq_class> ExactApportionShare(
    const SchoolStats& school, v1::Level level,
    const v1::ApportionFactors& factors) {
  return Share<mpq_class>(school, level, factors);
}

std::optional<double> PartQuantity(const SchoolStats& school, v1::Level level,
                                   Quantity quantity,
                                   const v1::ApportionFactors& factors) {
  return PartAmount<double>(school, level, quantity, factors);
}

std::optional<mpq_class> ExactPartQuantity(
    const SchoolStats& school, v1::Level level, Quantity quantity,
    const v1::ApportionFactors& factors) {
  return PartAmount<mpq_class>(school, level, quantity, factors);
}

}  // namespace junheng::checklist
