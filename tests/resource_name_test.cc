#include "common/resource_name.h"

#include <string>

#include "common/grpc_status.h"
#include "gtest/gtest.h"

namespace junheng {
namespace {

TEST(ResourceNameTest, ParsesEvidenceAndVersionNames) {
  auto v = ParseVersionName(
      "counties/330106/schools/2133010601/evidence/r4-ledger/versions/12", "n");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->evidence.parent.county, "330106");
  EXPECT_EQ(v->evidence.parent.school, "2133010601");
  EXPECT_EQ(v->evidence.evidence, "r4-ledger");
  EXPECT_EQ(v->version, 12);
  EXPECT_EQ(
      v->ToString(),
      "counties/330106/schools/2133010601/evidence/r4-ledger/versions/12");

  auto e = ParseEvidenceName("counties/330106/evidence/g11-rotation", "n");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->parent.school, "");
  EXPECT_EQ(e->ToString(), "counties/330106/evidence/g11-rotation");
}

TEST(ResourceNameTest, RejectsMalformedNamesNamingTheField) {
  for (const std::string bad : {
           "",
           "counties",
           "counties/33010/evidence/x",    // 5-digit county
           "counties/3301066/evidence/x",  // 7 digits
           "counties/33010a/evidence/x",
           "counties/330106/schools/123/evidence/x",
           "counties/330106/evidence/",
           "counties/330106/evidence/X",     // upper case
           "counties/330106/evidence/1abc",  // starts with a digit
           "counties/330106/evidence/abc-",  // ends with a hyphen
           "counties/330106/evidence/a_b",
           "counties/330106/evidence/x/versions/0",
           "counties/330106/evidence/x/versions/01",
           "counties/330106/evidence/x/versions/-1",
           "counties/330106/evidence/x/versions/+1",
           "counties/330106/evidence/x/versions/",
           "counties/330106/evidence/x/versions/1/extra",
           "counties/330106/evidence/x/blobs/1",
           "counties//evidence/x",
           "/counties/330106/evidence/x",
           "counties/330106/evidence/x/",
       }) {
    auto v = ParseVersionName(bad, "name");
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    auto violations = FieldViolations(v.status());
    ASSERT_EQ(violations.size(), 1u) << bad;
    EXPECT_EQ(violations[0].field, "name");
  }
}

TEST(ResourceNameTest, EvidenceIdLengthLimit) {
  EXPECT_TRUE(IsValidEvidenceId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidEvidenceId(std::string(64, 'a')));
}

TEST(ResourceNameTest, OversizedNameIsRefusedBeforeParsing) {
  const std::string huge = "counties/330106/evidence/" + std::string(5000, 'a');
  auto v = ParseVersionName(huge, "name");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("at most 256"), std::string::npos);
  EXPECT_LT(v.status().message().size(), 300u);
}

TEST(ResourceNameTest, EvidenceNameRejectsVersionName) {
  EXPECT_FALSE(
      ParseEvidenceName("counties/330106/evidence/x/versions/1", "n").ok());
}

TEST(ResourceNameTest, Parents) {
  EXPECT_TRUE(ParseParent("counties/330106", "p").ok());
  EXPECT_TRUE(ParseParent("counties/330106/schools/2133010601", "p").ok());
  EXPECT_FALSE(ParseParent("counties/-", "p").ok());
  auto all = ParseListParent("counties/-", "p");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->county, "");
  EXPECT_EQ(all->ToString(), "counties/-");
  EXPECT_FALSE(ParseListParent("counties/-/schools/2133010601", "p").ok());
  EXPECT_FALSE(ParseParent("counties/330106/evidence/x", "p").ok());
}

TEST(ResourceNameTest, ParsesCountyYearNamesAndRoundTrips) {
  constexpr char kShape[] = "counties/{county}/years/{year}/statistics";
  for (const std::string name :
       {"counties/330106/years/2025", "counties/330106/years/2025/statistics",
        "counties/330106/years/2025/schools/2133010601/statistics",
        "counties/330106/years/2000/judgements/G11",
        "counties/330106/years/2100/schools/2133010601"}) {
    auto parsed = ParseCountyYearName(name, "name", kShape);
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status();
    EXPECT_EQ(parsed->ToString(), name);
    EXPECT_EQ(parsed->county, "330106");
  }
  auto j = ParseCountyYearName("counties/330106/years/2025/judgements/G11",
                               "name", kShape);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->year, 2025);
  EXPECT_EQ(j->school, "");
  EXPECT_EQ(j->tail, "judgements/G11");
}

TEST(ResourceNameTest, RejectsMalformedCountyYearNamesSayingWhy) {
  constexpr char kShape[] = "counties/{county}/years/{year}";
  const struct {
    std::string name;
    std::string why;
  } cases[] = {
      {"counties/330106", "is not a county-year name"},
      {"provinces/33/years/2025", "is not a county-year name"},
      {"counties/33010/years/2025", "has no 6-digit county code"},
      {"counties/330106/years/1999", "between 2000 and 2100"},
      {"counties/330106/years/2101", "between 2000 and 2100"},
      {"counties/330106/years/25", "between 2000 and 2100"},
      {"counties/330106/years/20x5", "between 2000 and 2100"},
      {"counties/330106/years/2025/schools/123/statistics",
       "has no 10-digit school code"},
      {"counties/330106/years/2025/" + std::string(300, 'x'), "too long"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseCountyYearName(c.name, "name", kShape);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.why), std::string::npos)
        << c.name << ": " << parsed.status();
    EXPECT_NE(parsed.status().message().find(kShape), std::string::npos);
  }
}

TEST(ResourceNameTest, PlaceOfNameReadsBothGrammars) {
  EXPECT_EQ(PlaceOfName("counties/330106/schools/2133010601/evidence/x"),
            (Parent{"330106", "2133010601"}));
  EXPECT_EQ(PlaceOfName("counties/330106/years/2025/schools/2133010601/"
                        "statistics"),
            (Parent{"330106", "2133010601"}));
  EXPECT_EQ(PlaceOfName("counties/330106/years/2025/judgements/G1"),
            (Parent{"330106", ""}));
  EXPECT_EQ(PlaceOfName("counties/-"), Parent{});
  EXPECT_EQ(PlaceOfName("tokens/abc"), std::nullopt);
  EXPECT_EQ(PlaceOfName("counties/33/schools/2133010601"), std::nullopt);
  EXPECT_EQ(PlaceOfName("counties/330106/schools/21"), std::nullopt);
}

TEST(ResourceNameTest, RectificationItemNamesRoundTrip) {
  auto n = ParseRectificationItemName(
      "counties/330106/years/2025/rectificationItems/12", "name");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->county, "330106");
  EXPECT_EQ(n->year, 2025);
  EXPECT_EQ(n->item, 12);
  EXPECT_EQ(n->ToString(), "counties/330106/years/2025/rectificationItems/12");
  // The authorizer places an item in its county.
  EXPECT_EQ(PlaceOfName(n->ToString()), (Parent{"330106", ""}));
}

TEST(ResourceNameTest, RectificationItemNameRejectsOtherShapesNamingTheField) {
  for (const std::string bad : {
           "",
           "counties/330106/years/2025",
           "counties/330106/years/2025/rectificationItems",
           "counties/330106/years/2025/rectificationItems/",
           "counties/330106/years/2025/rectificationItems/0",
           "counties/330106/years/2025/rectificationItems/01",
           "counties/330106/years/2025/rectificationItems/-1",
           "counties/330106/years/2025/rectificationItems/x1",
           "counties/330106/years/2025/rectificationItems/1/extra",
           "counties/330106/years/2025/rectificationItems/1234567890",
           "counties/330106/years/2025/judgements/G1",
           "counties/330106/years/2025/schools/2133010601/"
           "rectificationItems/1",
           "counties/33010/years/2025/rectificationItems/1",
           "counties/330106/years/1999/rectificationItems/1",
       }) {
    auto n = ParseRectificationItemName(bad, "item.name");
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    auto violations = FieldViolations(n.status());
    ASSERT_EQ(violations.size(), 1u) << bad;
    EXPECT_EQ(violations[0].field, "item.name") << bad;
  }
}

}  // namespace
}  // namespace junheng
