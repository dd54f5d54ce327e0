// The standards loader: the real files, variants, and every validation error
// with file, line and field in its message.
#include "checklist_service/standard/standard_loader.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/checklist/test_util.h"

namespace junheng::checklist {
namespace {

namespace v1 = junheng::v1;
using ::testing::HasSubstr;

const v1::Indicator* Find(const v1::IndicatorStandard& s,
                          const std::string& code) {
  for (const v1::Indicator& i : s.indicators()) {
    if (i.code() == code) return &i;
  }
  return nullptr;
}

TEST(RealStandards, AllThreeLoad) {
  absl::StatusOr<StandardMap> standards =
      LoadStandardsDirectory(JUNHENG_SOURCE_DIR "/standards");
  ASSERT_TRUE(standards.ok()) << standards.status();
  EXPECT_EQ(standards->size(), 3u);
  EXPECT_TRUE(standards->contains("moe-2017-quality"));
  EXPECT_TRUE(standards->contains("moe-2012-basic"));
  EXPECT_TRUE(standards->contains("example-province-2017-quality"));
}

TEST(RealStandards, Quality2017) {
  const v1::IndicatorStandard& s = testing::Standard("moe-2017-quality");
  // R1–R7, G1–G15, Q1–Q9, S1.
  EXPECT_EQ(s.indicators_size(), 32);
  EXPECT_EQ(s.veto_items_size(), 6);
  EXPECT_EQ(s.school_rule().min_met(), 6);
  EXPECT_DOUBLE_EQ(s.school_rule().floor_fraction(), 0.85);
  EXPECT_EQ(s.coefficient_rule().method(),
            v1::COEFFICIENT_METHOD_PER_INDICATOR);
  EXPECT_EQ(s.parameters().teaching_point_min_students(), 50);
  EXPECT_DOUBLE_EQ(s.parameters().apportion_factors().junior(), 1.1);
  EXPECT_DOUBLE_EQ(s.parameters().apportion_factors().senior(), 1.32);
  EXPECT_EQ(Find(s, "R6")->thresholds(1).value(), 2500);
  EXPECT_EQ(Find(s, "G3")->thresholds_size(), 3);
}

TEST(RealStandards, Basic2012) {
  const v1::IndicatorStandard& s = testing::Standard("moe-2012-basic");
  EXPECT_EQ(s.indicators_size(), 11);  // B1–B8, E1, E2, S1
  EXPECT_FALSE(s.has_school_rule());
  EXPECT_EQ(s.coefficient_rule().method(),
            v1::COEFFICIENT_METHOD_COMPOSITE_MEAN);
  EXPECT_DOUBLE_EQ(s.coefficient_rule().limits(0).max_coefficient(), 0.65);
  EXPECT_DOUBLE_EQ(s.coefficient_rule().limits(1).max_coefficient(), 0.55);
}

TEST(RealStandards, ProvincialVariantResolved) {
  const v1::IndicatorStandard& s =
      testing::Standard("example-province-2017-quality");
  EXPECT_EQ(s.base_standard_id(), "moe-2017-quality");
  EXPECT_EQ(s.indicators_size(), 33);
  // Overridden, stricter.
  EXPECT_EQ(Find(s, "R1")->thresholds(0).value(), 4.5);
  EXPECT_EQ(Find(s, "R1")->thresholds(1).value(), 5.6);
  EXPECT_EQ(Find(s, "G7")->thresholds(0).value(), 8000);
  // The rest of the overridden indicator is inherited.
  EXPECT_EQ(Find(s, "R1")->name_zh(), "每百名学生拥有高于规定学历教师数");
  EXPECT_EQ(Find(s, "R1")->formula(),
            v1::FORMULA_TEACHERS_ABOVE_DEGREE_PER_100_STUDENTS);
  // Untouched indicators, vetoes and parameters are inherited.
  EXPECT_EQ(Find(s, "R2")->thresholds(0).value(), 1.0);
  EXPECT_EQ(s.veto_items_size(), 6);
  EXPECT_EQ(s.parameters().teaching_point_min_students(), 50);
  // Added, and the rule stated anew.
  ASSERT_NE(Find(s, "R8"), nullptr);
  EXPECT_EQ(s.school_rule().min_met(), 7);
  // The base is unchanged.
  EXPECT_EQ(
      Find(testing::Standard("moe-2017-quality"), "R1")->thresholds(0).value(),
      4.2);
}

// A small valid standard; each error test breaks one line of it.
// Not formatted by clang-format (whose text-proto formatting would move the
// lines the tests count): the "std" delimiter is not one it knows.
constexpr char kBase[] = R"std(id: "base"
name_zh: "测试标准"
areas { code: "resource" name_zh: "资源配置" }
areas { code: "recognition" name_zh: "社会认可度" }
indicators {
  code: "R1"
  name_zh: "每百名学生拥有高于规定学历教师数"
  area: "resource"
  scope: SCOPE_SCHOOL_LEVEL
  formula: FORMULA_TEACHERS_ABOVE_DEGREE_PER_100_STUDENTS
  thresholds { level: LEVEL_PRIMARY comparison: COMPARISON_AT_LEAST value: 4.2 }
  thresholds { level: LEVEL_JUNIOR comparison: COMPARISON_AT_LEAST value: 5.3 }
  difference_coefficient: true
}
indicators {
  code: "S1"
  name_zh: "社会认可度"
  area: "recognition"
  scope: SCOPE_COUNTY
  formula: FORMULA_SATISFACTION
  thresholds { level: LEVEL_ALL comparison: COMPARISON_AT_LEAST value: 0.85 }
}
school_rule { area: "resource" min_met: 1 floor_fraction: 0.85 }
coefficient_rule {
  method: COEFFICIENT_METHOD_PER_INDICATOR
  limits { level: LEVEL_PRIMARY max_coefficient: 0.5 }
  limits { level: LEVEL_JUNIOR max_coefficient: 0.45 }
}
parameters {
  teaching_point_min_students: 50
  apportion_factors { primary: 1 junior: 1.1 senior: 1.32 }
}
)std";

// 1-based line of the first occurrence of `marker` in `text`.
int LineOf(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  EXPECT_NE(at, std::string::npos) << marker;
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

std::string Replace(const std::string& from, const std::string& to,
                    const std::string& text = kBase) {
  EXPECT_NE(text.find(from), std::string::npos) << from;
  return absl::StrReplaceAll(text, {{from, to}});
}

// The error message of loading `text` (std::string for readable matchers).
std::string LoadError(const std::string& text) {
  return std::string(
      LoadStandard("std/base.textproto", text).status().message());
}

TEST(LoaderErrors, TheBaseIsValid) {
  absl::StatusOr<v1::IndicatorStandard> s =
      LoadStandard("std/base.textproto", kBase);
  EXPECT_TRUE(s.ok()) << s.status();
}

TEST(LoaderErrors, SyntaxErrorHasLineAndColumn) {
  const std::string text = Replace("min_met: 1", "min_met: one");
  const std::string status = LoadError(text);
  EXPECT_THAT(status,
              HasSubstr(absl::StrCat(
                  "std/base.textproto:", LineOf(text, "min_met: one"), ":")));
}

TEST(LoaderErrors, UnknownFieldName) {
  const std::string text = Replace("  difference_coefficient: true",
                                   "  difference_coeficient: true");
  const std::string status = LoadError(text);
  EXPECT_THAT(status,
              HasSubstr(absl::StrCat("std/base.textproto:",
                                     LineOf(text, "difference_coeficient"))));
  EXPECT_THAT(status, HasSubstr("difference_coeficient"));
}

TEST(LoaderErrors, UnknownFormulaName) {
  const std::string text = Replace("FORMULA_SATISFACTION", "FORMULA_HAPPINESS");
  const std::string status = LoadError(text);
  EXPECT_THAT(status,
              HasSubstr(absl::StrCat("std/base.textproto:",
                                     LineOf(text, "FORMULA_HAPPINESS"), ":")));
  EXPECT_THAT(status, HasSubstr("FORMULA_HAPPINESS"));
  EXPECT_THAT(status, HasSubstr("formula"));
}

TEST(LoaderErrors, UnknownFormulaNumber) {
  const std::string text =
      Replace("formula: FORMULA_SATISFACTION", "formula: 999");
  const std::string status = LoadError(text);
  EXPECT_THAT(status, HasSubstr(absl::StrCat(
                          "std/base.textproto:", LineOf(text, "formula: 999"),
                          ":3: indicators[1].formula: S1: unknown")));
}

TEST(LoaderErrors, ScopeDoesNotMatchFormula) {
  const std::string text =
      Replace("scope: SCOPE_COUNTY", "scope: SCOPE_SCHOOL");
  EXPECT_THAT(LoadError(text),
              HasSubstr(absl::StrCat(LineOf(text, "scope: SCOPE_SCHOOL"),
                                     ":3: indicators[1].scope")));
}

TEST(LoaderErrors, DuplicateIndicatorCode) {
  const std::string text = Replace(R"(code: "S1")", R"(code: "R1")");
  const std::string status = LoadError(text);
  EXPECT_THAT(status, HasSubstr(absl::StrCat(
                          "std/base.textproto:",
                          LineOf(text, "code: \"R1\"\n  name_zh: \"社会"),
                          ":3: indicators[1].code: duplicate code "
                          "\"R1\"")));
}

TEST(LoaderErrors, MissingThreshold) {
  const std::string text = Replace(
      "  thresholds { level: LEVEL_JUNIOR comparison: COMPARISON_AT_LEAST "
      "value: 5.3 }\n",
      "");
  const std::string status = LoadError(text);
  EXPECT_THAT(status,
              HasSubstr(absl::StrCat(
                  "std/base.textproto:", LineOf(text, "value: 4.2"),
                  ":3: indicators[0].thresholds: R1: missing threshold for "
                  "LEVEL_JUNIOR")));
}

TEST(LoaderErrors, NoThresholdsAtAllForARuleIndicator) {
  std::string text = Replace(
      "  thresholds { level: LEVEL_JUNIOR comparison: COMPARISON_AT_LEAST "
      "value: 5.3 }\n",
      "");
  text = Replace(
      "  thresholds { level: LEVEL_PRIMARY comparison: COMPARISON_AT_LEAST "
      "value: 4.2 }\n",
      "", text);
  const std::string status = LoadError(text);
  // Reported at the indicator, the nearest thing there is.
  EXPECT_THAT(status, HasSubstr(absl::StrCat(
                          "std/base.textproto:", LineOf(text, "indicators {"),
                          ":1: indicators[0].thresholds: R1: "
                          "missing threshold for LEVEL_PRIMARY")));
}

TEST(LoaderErrors, BadLevel) {
  const std::string text =
      Replace("level: LEVEL_ALL comparison", "level: LEVEL_PRIMARY comparison");
  const std::string status = LoadError(text);
  EXPECT_THAT(status,
              HasSubstr(absl::StrCat(
                  "std/base.textproto:", LineOf(text, "value: 0.85"),
                  ":16: indicators[1].thresholds[0].level: S1: bad level "
                  "LEVEL_PRIMARY, expected LEVEL_ALL")));
}

TEST(LoaderErrors, UnspecifiedLevel) {
  const std::string text = Replace(
      "thresholds { level: LEVEL_JUNIOR comparison", "thresholds { comparison");
  const std::string status = LoadError(text);
  EXPECT_THAT(status, HasSubstr(absl::StrCat(LineOf(text, "value: 5.3"),
                                             ":3: indicators[0].thresholds")));
  EXPECT_THAT(status, HasSubstr("bad level LEVEL_UNSPECIFIED"));
}

TEST(LoaderErrors, WrongDirection) {
  const std::string text =
      Replace("comparison: COMPARISON_AT_LEAST value: 0.85",
              "comparison: COMPARISON_AT_MOST value: 0.85");
  EXPECT_THAT(LoadError(text),
              HasSubstr(absl::StrCat(LineOf(text, "COMPARISON_AT_MOST"),
                                     ":33: indicators[1].thresholds[0]."
                                     "comparison: S1: COMPARISON_AT_MOST is "
                                     "the wrong direction")));
}

TEST(LoaderErrors, UnknownMeasure) {
  const std::string text =
      Replace("level: LEVEL_ALL comparison",
              "level: LEVEL_ALL measure: \"happiness\" comparison");
  EXPECT_THAT(LoadError(text),
              HasSubstr("indicators[1].thresholds[0].measure: S1: "
                        "FORMULA_SATISFACTION has no measure \"happiness\""));
}

TEST(LoaderErrors, DuplicateThreshold) {
  const std::string text = Replace(
      "  difference_coefficient: true",
      "  thresholds { level: LEVEL_JUNIOR comparison: COMPARISON_AT_LEAST "
      "value: 6 }\n  difference_coefficient: true");
  EXPECT_THAT(LoadError(text),
              HasSubstr(absl::StrCat(LineOf(text, "value: 6 }"),
                                     ":16: indicators[0].thresholds[2].level: "
                                     "R1: duplicate threshold for "
                                     "LEVEL_JUNIOR")));
}

TEST(LoaderErrors, UnknownArea) {
  const std::string text =
      Replace(R"(area: "recognition")", R"(area: "recogniton")");
  EXPECT_THAT(LoadError(text),
              HasSubstr(absl::StrCat(LineOf(text, "recogniton"),
                                     ":3: indicators[1].area")));
}

TEST(LoaderErrors, RuleAndParametersOutOfRange) {
  std::string text = Replace("min_met: 1", "min_met: 2");
  EXPECT_THAT(LoadError(text),
              HasSubstr(absl::StrCat(LineOf(text, "school_rule"),
                                     ":32: school_rule.min_met: min_met 2")));
  text = Replace("junior: 1.1", "junior: 0");
  EXPECT_THAT(LoadError(text),
              HasSubstr("parameters.apportion_factors.junior: apportion factor "
                        "junior must be positive"));
  text =
      Replace("  limits { level: LEVEL_JUNIOR max_coefficient: 0.45 }\n", "");
  EXPECT_THAT(LoadError(text),
              HasSubstr("coefficient_rule.limits: missing limit for "
                        "LEVEL_JUNIOR"));
}

TEST(LoaderErrors, EveryProblemIsListed) {
  std::string text = Replace("FORMULA_SATISFACTION", "999");
  text = Replace("min_met: 1", "min_met: 5", text);
  const std::string message = LoadError(text);
  EXPECT_THAT(message, HasSubstr("indicators[1].formula"));
  EXPECT_THAT(message, HasSubstr("school_rule.min_met"));
}

constexpr char kVariant[] = R"std(id: "variant"
base_standard_id: "base"
name_zh: "省级细则"
indicators {
  code: "R1"
  thresholds { level: LEVEL_PRIMARY comparison: COMPARISON_AT_LEAST value: 4.6 }
}
indicators {
  code: "R9"
  name_zh: "每百名学生拥有计算机台数"
  area: "resource"
  scope: SCOPE_SCHOOL_LEVEL
  formula: FORMULA_COMPUTERS_PER_100_STUDENTS
  thresholds { level: LEVEL_PRIMARY comparison: COMPARISON_AT_LEAST value: 15 }
  thresholds { level: LEVEL_JUNIOR comparison: COMPARISON_AT_LEAST value: 18 }
}
)std";

absl::StatusOr<StandardMap> LoadPair(const std::string& variant,
                                     const std::string& base = kBase) {
  return LoadStandards(
      {{"std/base.textproto", base}, {"std/variant.textproto", variant}});
}

TEST(Variants, OverrideAndAddition) {
  absl::StatusOr<StandardMap> standards = LoadPair(kVariant);
  ASSERT_TRUE(standards.ok()) << standards.status();
  const v1::IndicatorStandard& v = standards->at("variant");
  EXPECT_EQ(v.name_zh(), "省级细则");
  EXPECT_EQ(Find(v, "R1")->thresholds(0).value(), 4.6);
  EXPECT_EQ(Find(v, "R1")->thresholds(1).value(), 5.3);  // inherited
  EXPECT_EQ(v.indicators_size(), 3);
  EXPECT_EQ(v.school_rule().min_met(), 1);  // inherited
  EXPECT_EQ(Find(standards->at("base"), "R1")->thresholds(0).value(), 4.2);
}

TEST(Variants, VariantOfAVariant) {
  const std::string grandchild =
      "id: \"county\" base_standard_id: \"variant\"\n"
      "indicators { code: \"S1\" thresholds { level: LEVEL_ALL comparison: "
      "COMPARISON_AT_LEAST value: 0.9 } }\n";
  absl::StatusOr<StandardMap> standards =
      LoadStandards({{"b.textproto", kBase},
                     {"v.textproto", kVariant},
                     {"c.textproto", grandchild}});
  ASSERT_TRUE(standards.ok()) << standards.status();
  const v1::IndicatorStandard& c = standards->at("county");
  EXPECT_EQ(Find(c, "R1")->thresholds(0).value(), 4.6);
  EXPECT_EQ(Find(c, "S1")->thresholds(0).value(), 0.9);
}

TEST(Variants, UnknownBase) {
  const std::string text = Replace(R"(base_standard_id: "base")",
                                   R"(base_standard_id: "bsae")", kVariant);
  const std::string status(LoadPair(text).status().message());
  EXPECT_THAT(status,
              HasSubstr("std/variant.textproto:2:1: base_standard_id: unknown "
                        "base standard \"bsae\""));
}

TEST(Variants, CycleOfBases) {
  const std::string a = "id: \"a\" base_standard_id: \"b\"";
  const std::string b = "id: \"b\" base_standard_id: \"a\"";
  const std::string status(
      LoadStandards({{"a.textproto", a}, {"b.textproto", b}})
          .status()
          .message());
  EXPECT_THAT(status, HasSubstr("form a cycle"));
  EXPECT_THAT(status, HasSubstr(".textproto:1:9: base_standard_id"));
}

TEST(Variants, DuplicateStandardId) {
  const std::string status(
      LoadStandards({{"one.textproto", kBase}, {"two.textproto", kBase}})
          .status()
          .message());
  EXPECT_THAT(status,
              HasSubstr("two.textproto:1:1: id: duplicate standard id \"base\" "
                        "(also in one.textproto)"));
}

TEST(Variants, ErrorInAddedIndicatorPointsIntoTheVariant) {
  const std::string text = Replace(
      "  thresholds { level: LEVEL_JUNIOR comparison: COMPARISON_AT_LEAST "
      "value: 18 }\n",
      "", kVariant);
  const std::string status(LoadPair(text).status().message());
  EXPECT_THAT(status, HasSubstr(absl::StrCat(
                          "std/variant.textproto:", LineOf(text, "value: 15"),
                          ":3: indicators[2].thresholds: R9: missing "
                          "threshold for LEVEL_JUNIOR")));
}

TEST(Variants, BadLevelInOverridePointsIntoTheVariant) {
  const std::string text = Replace(
      "level: LEVEL_PRIMARY comparison: COMPARISON_AT_LEAST value: 4.6",
      "level: LEVEL_ALL comparison: COMPARISON_AT_LEAST value: 4.6", kVariant);
  const std::string status(LoadPair(text).status().message());
  EXPECT_THAT(status, HasSubstr(absl::StrCat(
                          "std/variant.textproto:", LineOf(text, "value: 4.6"),
                          ":16: indicators[0].thresholds[2].level: "
                          "R1: bad level LEVEL_ALL")));
}

TEST(Variants, DuplicateCodeInVariant) {
  const std::string text = Replace(R"(code: "R9")", R"(code: "R1")", kVariant);
  const std::string status(LoadPair(text).status().message());
  EXPECT_THAT(
      status,
      HasSubstr(absl::StrCat(
          "std/variant.textproto:", LineOf(text, "name_zh: \"每百名") - 1,
          ":3: indicators[1].code: duplicate code")));
}

TEST(ReadStandardSources, MissingDirectory) {
  EXPECT_EQ(ReadStandardSources("/nonexistent/standards").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace junheng::checklist
