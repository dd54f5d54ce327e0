// The difference coefficient and apportioning, against hand-computed values.
#include "checklist_service/evaluator/coefficient.h"

#include <cmath>
#include <vector>

#include "checklist_service/evaluator/apportion.h"
#include "gtest/gtest.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;

TEST(DifferenceCoefficient, WeightedByStudentsNotUnweighted) {
  // P = 100, 300; X = 2, 6.
  // X̄ = (200 + 1800) / 400 = 5; S² = (100·9 + 300·1) / 400 = 3.
  // Unweighted it would be mean 4, S = 2, CV = 0.5.
  absl::StatusOr<Coefficient> c =
      DifferenceCoefficient(std::vector<WeightedValue>{{100, 2}, {300, 6}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(c->county_value, 5.0);
  EXPECT_NEAR(c->std_dev, 1.7320508075688772, 1e-12);
  EXPECT_NEAR(c->coefficient, 0.34641016151377546, 1e-12);
  EXPECT_GT(std::fabs(c->coefficient - 0.5), 0.1);
}

TEST(DifferenceCoefficient, ThreeSchools) {
  // P = 500, 300, 200; X = 4, 5, 8. X̄ = 5100 / 1000 = 5.1.
  // Σ P·(X − X̄)² = 500·1.21 + 300·0.01 + 200·8.41 = 2290; S² = 2.29.
  absl::StatusOr<Coefficient> c = DifferenceCoefficient(
      std::vector<WeightedValue>{{500, 4}, {300, 5}, {200, 8}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_NEAR(c->county_value, 5.1, 1e-12);
  EXPECT_NEAR(c->std_dev, 1.5132745950421556, 1e-12);
  EXPECT_NEAR(c->coefficient, 0.29672050883179524, 1e-12);
}

TEST(DifferenceCoefficient, EqualSchoolsOneToFour) {
  // Two equal schools at 1 and 4: X̄ = 2.5, S = 1.5, CV = 0.6.
  absl::StatusOr<Coefficient> c =
      DifferenceCoefficient(std::vector<WeightedValue>{{1000, 1}, {1000, 4}});
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(c->coefficient, 0.6, 1e-12);
}

TEST(DifferenceCoefficient, OneSchoolHasNoDifference) {
  absl::StatusOr<Coefficient> c =
      DifferenceCoefficient(std::vector<WeightedValue>{{420, 3.7}});
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->coefficient, 0.0);
  EXPECT_DOUBLE_EQ(c->county_value, 3.7);
}

TEST(DifferenceCoefficient, Errors) {
  EXPECT_EQ(DifferenceCoefficient({}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      DifferenceCoefficient(std::vector<WeightedValue>{{0, 1}}).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DifferenceCoefficient(std::vector<WeightedValue>{{10, -1}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DifferenceCoefficient(std::vector<WeightedValue>{{10, 0}, {5, 0}})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(CompositeCoefficient, MeanOfCoefficients) {
  absl::StatusOr<double> c =
      CompositeCoefficient(std::vector<double>{0.2, 0.4, 0.9});
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(*c, 0.5, 1e-12);
  EXPECT_FALSE(CompositeCoefficient({}).ok());
}

v1::ApportionFactors Factors(double p, double j, double s) {
  v1::ApportionFactors f;
  f.set_primary(p);
  f.set_junior(j);
  f.set_senior(s);
  return f;
}

SchoolStats NineYear(int64_t primary, int64_t junior) {
  SchoolStats s;
  s.type = SchoolType::kNineYear;
  s.primary.students = primary;
  s.junior.students = junior;
  return s;
}

TEST(Apportion, StandardExampleNineYearBooks) {
  // standard.md: 166 primary, 210 junior, 23,226 books →
  // 23,226 × 166 / (166 + 231) = 9,711.6 and 13,514.4.
  SchoolStats s = NineYear(166, 210);
  s.shared.books = 23226;
  const v1::ApportionFactors f = Factors(1, 1.1, 1.32);
  std::optional<double> primary =
      PartQuantity(s, v1::LEVEL_PRIMARY, Quantity::kBooks, f);
  std::optional<double> junior =
      PartQuantity(s, v1::LEVEL_JUNIOR, Quantity::kBooks, f);
  ASSERT_TRUE(primary.has_value() && junior.has_value());
  EXPECT_NEAR(*primary, 9711.6, 0.05);
  EXPECT_NEAR(*junior, 13514.4, 0.05);
  EXPECT_NEAR(*primary + *junior, 23226, 1e-9);
}

TEST(Apportion, TwelveYearIncludesSeniorStudents) {
  // A = 600, B = 400, C = 300: 600 + 440 + 396 = 1436.
  SchoolStats s = NineYear(600, 400);
  s.type = SchoolType::kTwelveYear;
  s.senior_students = 300;
  s.shared.teaching_area_m2 = 14360;
  const v1::ApportionFactors f = Factors(1, 1.1, 1.32);
  EXPECT_NEAR(*PartQuantity(s, v1::LEVEL_PRIMARY, Quantity::kTeachingArea, f),
              6000, 1e-9);
  EXPECT_NEAR(*PartQuantity(s, v1::LEVEL_JUNIOR, Quantity::kTeachingArea, f),
              4400, 1e-9);
}

TEST(Apportion, TwelveYearWithoutSeniorStudentsIsNotReported) {
  SchoolStats s = NineYear(600, 400);
  s.type = SchoolType::kTwelveYear;
  s.shared.teaching_area_m2 = 10000;
  EXPECT_EQ(PartQuantity(s, v1::LEVEL_PRIMARY, Quantity::kTeachingArea,
                         Factors(1, 1.1, 1.32)),
            std::nullopt);
}

TEST(Apportion, PlainStudentSharesWhenTheFileSaysSo) {
  SchoolStats s = NineYear(300, 100);
  s.shared.sports_area_m2 = 4000;
  EXPECT_NEAR(*PartQuantity(s, v1::LEVEL_PRIMARY, Quantity::kSportsArea,
                            Factors(1, 1, 1)),
              3000, 1e-9);
}

TEST(Apportion, PerPartFigureWinsOverApportioning) {
  SchoolStats s = NineYear(300, 100);
  s.shared.equipment_value_yuan = 1000000;
  s.junior.own.equipment_value_yuan = 400000;
  const v1::ApportionFactors f = Factors(1, 1.1, 1.32);
  EXPECT_DOUBLE_EQ(
      *PartQuantity(s, v1::LEVEL_JUNIOR, Quantity::kEquipmentValue, f), 400000);
  // The primary part, not reported on its own, still gets its share.
  EXPECT_NEAR(*PartQuantity(s, v1::LEVEL_PRIMARY, Quantity::kEquipmentValue, f),
              1000000 * 300 / 410.0, 1e-6);
}

TEST(Apportion, MissingStudentsOfOtherPartIsNotReported) {
  SchoolStats s = NineYear(300, 100);
  s.junior.students.reset();
  s.shared.books = 1000;
  EXPECT_EQ(PartQuantity(s, v1::LEVEL_PRIMARY, Quantity::kBooks,
                         Factors(1, 1.1, 1.32)),
            std::nullopt);
}

TEST(Apportion, TeachersAreNeverApportioned) {
  SchoolStats s = NineYear(300, 100);
  s.primary.teachers = 20;
  EXPECT_EQ(PartQuantity(s, v1::LEVEL_JUNIOR, Quantity::kTeachers,
                         Factors(1, 1.1, 1.32)),
            std::nullopt);
  EXPECT_DOUBLE_EQ(*PartQuantity(s, v1::LEVEL_PRIMARY, Quantity::kTeachers,
                                 Factors(1, 1.1, 1.32)),
                   20);
}

TEST(Apportion, SingleLevelSchoolKeepsTheWhole) {
  SchoolStats s;
  s.type = SchoolType::kPrimary;
  s.shared.books = 5000;  // students not even needed
  EXPECT_DOUBLE_EQ(*PartQuantity(s, v1::LEVEL_PRIMARY, Quantity::kBooks,
                                 Factors(1, 1.1, 1.32)),
                   5000);
}

}  // namespace
}  // namespace junheng::checklist
