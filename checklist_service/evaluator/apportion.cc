#include "checklist_service/evaluator/apportion.h"

#include "checklist_service/evaluator/inclusion.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

template <typename T>
std::optional<double> AsDouble(const std::optional<T>& value) {
  if (!value.has_value()) return std::nullopt;
  return static_cast<double>(*value);
}

std::optional<double> Resource(const SharedResources& resources,
                               Quantity quantity) {
  switch (quantity) {
    case Quantity::kTeachingArea:
      return resources.teaching_area_m2;
    case Quantity::kSportsArea:
      return resources.sports_area_m2;
    case Quantity::kEquipmentValue:
      return resources.equipment_value_yuan;
    case Quantity::kMultimediaClassrooms:
      return AsDouble(resources.multimedia_classrooms);
    case Quantity::kComputers:
      return AsDouble(resources.computers);
    case Quantity::kBooks:
      return AsDouble(resources.books);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<double> ApportionShare(const SchoolStats& school, v1::Level level,
                                     const v1::ApportionFactors& factors) {
  if (school.type != SchoolType::kNineYear &&
      school.type != SchoolType::kTwelveYear) {
    return 1.0;
  }
  const std::optional<int64_t>& primary = school.primary.students;
  const std::optional<int64_t>& junior = school.junior.students;
  if (!primary.has_value() || !junior.has_value()) return std::nullopt;
  double senior = 0;
  if (school.type == SchoolType::kTwelveYear) {
    if (!school.senior_students.has_value()) return std::nullopt;
    senior = factors.senior() * static_cast<double>(*school.senior_students);
  }
  const double weighted_primary =
      factors.primary() * static_cast<double>(*primary);
  const double weighted_junior =
      factors.junior() * static_cast<double>(*junior);
  const double total = weighted_primary + weighted_junior + senior;
  if (!(total > 0)) return std::nullopt;
  return (level == v1::LEVEL_JUNIOR ? weighted_junior : weighted_primary) /
         total;
}

std::optional<double> PartQuantity(const SchoolStats& school, v1::Level level,
                                   Quantity quantity,
                                   const v1::ApportionFactors& factors) {
  const LevelStats& part = PartStats(school, level);
  switch (quantity) {
    case Quantity::kTeachersAboveDegree:
      return AsDouble(part.teachers_above_degree);
    case Quantity::kBackboneTeachers:
      return AsDouble(part.backbone_teachers);
    case Quantity::kPeArtTeachers:
      return AsDouble(part.pe_art_teachers);
    case Quantity::kTeachers:
      return AsDouble(part.teachers);
    case Quantity::kSeniorTitleTeachers:
      return AsDouble(part.senior_title_teachers);
    case Quantity::kNone:
      return std::nullopt;
    default:
      break;
  }
  if (std::optional<double> own = Resource(part.own, quantity)) return own;
  const std::optional<double> whole = Resource(school.shared, quantity);
  if (!whole.has_value()) return std::nullopt;
  const std::optional<double> share = ApportionShare(school, level, factors);
  if (!share.has_value()) return std::nullopt;
  return *whole * *share;
}

}  // namespace junheng::checklist
