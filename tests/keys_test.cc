#include "archive_service/keys.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace junheng::archive {
namespace {

EvidenceName Name(std::string county, std::string school, std::string id) {
  return {{std::move(county), std::move(school)}, std::move(id)};
}

TEST(KeysTest, EvidenceKeyRoundTrips) {
  for (const EvidenceName& n :
       {Name("330106", "2133010601", "r4-ledger"), Name("330106", "", "g11"),
        Name("000000", "0000000000", "a")}) {
    auto decoded = DecodeEvidenceKey(EvidenceKey(n));
    ASSERT_TRUE(decoded.has_value()) << n.ToString();
    EXPECT_EQ(*decoded, n);
  }
}

TEST(KeysTest, EvidenceKeyLayoutIsFrozen) {
  // The bytes on disk; changing them needs a new format version.
  EXPECT_EQ(EvidenceKey(Name("330106", "2133010601", "r4")),
            std::string("330106\0"
                        "2133010601\0"
                        "r4\0",
                        21));
  EXPECT_EQ(EvidenceKey(Name("330106", "", "r4")),
            std::string("330106\0\0r4\0", 11));
  EXPECT_EQ(VersionKey(Name("330106", "", "r4"), 258),
            std::string("330106\0\0r4\0\0\0\0\0\0\0\x01\x02", 19));
}

TEST(KeysTest, DecodeRejectsGarbage) {
  EXPECT_FALSE(DecodeEvidenceKey("").has_value());
  EXPECT_FALSE(DecodeEvidenceKey(std::string("330106\0\0r4", 10)).has_value());
  EXPECT_FALSE(DecodeEvidenceKey(std::string("33010\0\0r4\0", 10)).has_value());
  EXPECT_FALSE(
      DecodeEvidenceKey(std::string("330106\0\0R4\0", 11)).has_value());
  EXPECT_FALSE(
      DecodeEvidenceKey(std::string("330106\0\0a\0b\0", 12)).has_value());
}

TEST(KeysTest, VersionsSortNumerically) {
  const EvidenceName n = Name("330106", "", "r4");
  std::vector<std::string> keys;
  for (uint64_t v : {1u, 2u, 9u, 10u, 255u, 256u, 100000u}) {
    keys.push_back(VersionKey(n, v));
    EXPECT_EQ(VersionOfKey(keys.back()), v);
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
}

TEST(KeysTest, ParentPrefixesSelectExactlyTheirChildren) {
  const std::string county_doc = EvidenceKey(Name("330106", "", "x"));
  const std::string school_doc = EvidenceKey(Name("330106", "2133010601", "x"));
  const std::string other_county = EvidenceKey(Name("330107", "", "x"));
  const std::string county = ParentPrefix({"330106", ""});
  const std::string school = ParentPrefix({"330106", "2133010601"});
  EXPECT_EQ(county_doc.rfind(county, 0), 0u);
  EXPECT_EQ(school_doc.rfind(county, 0), 0u);
  EXPECT_NE(other_county.rfind(county, 0), 0u);
  EXPECT_EQ(school_doc.rfind(school, 0), 0u);
  EXPECT_NE(county_doc.rfind(school, 0), 0u);
  EXPECT_EQ(ParentPrefix({"", ""}), "");
  // County-level evidence sorts before every school of the county.
  EXPECT_LT(county_doc, school_doc);
}

TEST(KeysTest, IndicatorKeysDoNotCollideAcrossCodes) {
  const std::string ekey = EvidenceKey(Name("330106", "", "x"));
  const std::string g1 = IndicatorKey("G1", ekey);
  const std::string g11 = IndicatorKey("G11", ekey);
  EXPECT_NE(g11.rfind(IndicatorPrefix("G1"), 0), 0u);
  EXPECT_EQ(g1.rfind(IndicatorPrefix("G1"), 0), 0u);
  EXPECT_EQ(EvidenceKeyOfIndicatorKey(g11), ekey);
}

TEST(KeysTest, StagingKeyCarriesTheChunk) {
  Sha256Digest d = Sha256::Of("abc");
  const std::string key = StagingKey(7, d);
  EXPECT_EQ(GetU64BE(key), 7u);
  EXPECT_EQ(ChunkOfStagingKey(key), AsBytes(d));
}

}  // namespace
}  // namespace junheng::archive
