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
std::optional<Num> WeightedShare(const SchoolStats& school, v1::Level level,
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

// The amount of a quantity (its members `m`) the part `part` of `school` has;
// `share()` is the part's share of a whole-school figure.
template <typename Num, typename ShareFn>
std::optional<Num> ReadAmount(const QuantityReader::Members& m,
                              const SchoolStats& school, const LevelStats& part,
                              ShareFn share) {
  if (m.count != nullptr) return As<Num>(part.*m.count);
  std::optional<Num> whole;
  if (m.decimal != nullptr) {
    if (part.own.*m.decimal) return As<Num>(part.own.*m.decimal);
    whole = As<Num>(school.shared.*m.decimal);
  } else if (m.whole != nullptr) {
    if (part.own.*m.whole) return As<Num>(part.own.*m.whole);
    whole = As<Num>(school.shared.*m.whole);
  }
  if (!whole.has_value()) return std::nullopt;
  const std::optional<Num> part_share = share();
  if (!part_share.has_value()) return std::nullopt;
  return Num(*whole * *part_share);
}

template <typename Num>
std::optional<Num> PartAmount(const SchoolStats& school, v1::Level level,
                              Quantity quantity,
                              const v1::ApportionFactors& factors) {
  return ReadAmount<Num>(
      QuantityReader(quantity).members(), school, PartStats(school, level),
      [&] { return WeightedShare<Num>(school, level, factors); });
}

}  // namespace

QuantityReader::QuantityReader(Quantity quantity) {
  switch (quantity) {
    case Quantity::kTeachersAboveDegree:
      members_.count = &LevelStats::teachers_above_degree;
      break;
    case Quantity::kBackboneTeachers:
      members_.count = &LevelStats::backbone_teachers;
      break;
    case Quantity::kPeArtTeachers:
      members_.count = &LevelStats::pe_art_teachers;
      break;
    case Quantity::kTeachers:
      members_.count = &LevelStats::teachers;
      break;
    case Quantity::kSeniorTitleTeachers:
      members_.count = &LevelStats::senior_title_teachers;
      break;
    case Quantity::kTeachingArea:
      members_.decimal = &SharedResources::teaching_area_m2;
      break;
    case Quantity::kSportsArea:
      members_.decimal = &SharedResources::sports_area_m2;
      break;
    case Quantity::kEquipmentValue:
      members_.decimal = &SharedResources::equipment_value_yuan;
      break;
    case Quantity::kMultimediaClassrooms:
      members_.whole = &SharedResources::multimedia_classrooms;
      break;
    case Quantity::kComputers:
      members_.whole = &SharedResources::computers;
      break;
    case Quantity::kBooks:
      members_.whole = &SharedResources::books;
      break;
    case Quantity::kNone:
      break;
  }
}

std::optional<double> QuantityReader::Share::Get() {
  if (!known_) {
    share_ = WeightedShare<double>(school_, level_, factors_);
    known_ = true;
  }
  return share_;
}

std::optional<double> QuantityReader::Read(const SchoolStats& school,
                                           const LevelStats& part,
                                           Share& share) const {
  return ReadAmount<double>(members_, school, part,
                            [&share] { return share.Get(); });
}

std::optional<double> ApportionShare(const SchoolStats& school, v1::Level level,
                                     const v1::ApportionFactors& factors) {
  return WeightedShare<double>(school, level, factors);
}

std::optional<mpq_class> ExactApportionShare(
    const SchoolStats& school, v1::Level level,
    const v1::ApportionFactors& factors) {
  return WeightedShare<mpq_class>(school, level, factors);
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
