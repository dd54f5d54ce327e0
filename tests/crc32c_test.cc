#include "common/crc32c.h"

#include <cstdint>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace junheng {
namespace {

// Bit by bit from the definition: an oracle independent of both of the
// implementation's paths.
uint32_t Reference(const std::string& data) {
  uint32_t c = 0xFFFFFFFF;
  for (unsigned char byte : data) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? 0x82F63B78 : 0);
  }
  return ~c;
}

TEST(Crc32c, KnownValues) {
  // RFC 3720 (iSCSI), appendix B.4, and the usual check value.
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, AgreesWithTheDefinitionAtEveryLengthAndSplit) {
  std::mt19937 rng(7);
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(rng()));
  for (size_t n = 0; n <= data.size(); ++n) {
    const std::string part = data.substr(0, n);
    ASSERT_EQ(Crc32c(part), Reference(part)) << n;
    // Continued in two pieces, at an unaligned split.
    const size_t split = n / 3;
    EXPECT_EQ(Crc32c(part.substr(split), Crc32c(part.substr(0, split))),
              Crc32c(part))
        << n;
  }
}

TEST(Crc32c, OneBitFlipChangesIt) {
  std::string chunk(1 << 20, 'x');
  const uint32_t good = Crc32c(chunk);
  chunk[chunk.size() / 2] ^= 0x20;
  EXPECT_NE(Crc32c(chunk), good);
}

}  // namespace
}  // namespace junheng
