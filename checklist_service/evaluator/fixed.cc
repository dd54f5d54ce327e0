#include "checklist_service/evaluator/fixed.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace junheng::checklist {
namespace {

constexpr uint64_t kPow5[kMaxFixedDecimals + 1] = {
    1,           5,            25,            125,           625,
    3125,        15625,        78125,         390625,        1953125,
    9765625,     48828125,     244140625,     1220703125,    6103515625,
    30517578125};

}  // namespace

std::optional<uint64_t> ScaledRound(double value, int decimals) {
  // |value| = m · 2^e from its bits: a biased exponent of 0 is a
  // subnormal (m · 2^−1074), 2047 an infinity or NaN.
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  if (biased == 0x7ff) return std::nullopt;
  uint64_t m = bits & ((uint64_t{1} << 52) - 1);
  if (biased != 0) m |= uint64_t{1} << 52;
  if (m == 0) return 0;
  const int exponent = (biased == 0 ? 1 : biased) - 1075;
  const int shift = exponent + decimals;
  // m · 5^d < 2⁵³ · 5¹⁵ < 2⁸⁸.
  const unsigned __int128 x =
      static_cast<unsigned __int128>(m) * kPow5[decimals];
  if (shift >= 0) {
    if (shift > 62 || (x >> (63 - shift)) != 0) return std::nullopt;
    return static_cast<uint64_t>(x << shift);
  }
  const int k = -shift;
  // x < 2⁸⁸ <= 2^(k−1): less than half, rounds to 0.
  if (k > 89) return 0;
  unsigned __int128 q = x >> k;
  const unsigned __int128 rest = x - (q << k);
  const unsigned __int128 half = static_cast<unsigned __int128>(1) << (k - 1);
  if (rest > half || (rest == half && (q & 1) != 0)) ++q;
  if ((q >> 63) != 0) return std::nullopt;
  return static_cast<uint64_t>(q);
}

char* WriteScaled(char* buffer, bool negative, uint64_t scaled, int decimals) {
  char digits[24];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + scaled % 10);
    scaled /= 10;
  } while (scaled != 0);
  // At least one digit before the point.
  while (count < decimals + 1) digits[count++] = '0';
  char* out = buffer;
  if (negative) *out++ = '-';
  for (int i = count - 1; i >= decimals; --i) *out++ = digits[i];
  if (decimals > 0) {
    *out++ = '.';
    for (int i = decimals - 1; i >= 0; --i) *out++ = digits[i];
  }
  return out;
}

char* WriteFixed(char* buffer, double value, int decimals) {
  if (const std::optional<uint64_t> scaled = ScaledRound(value, decimals)) {
    return WriteScaled(buffer, std::signbit(value), *scaled, decimals);
  }
  return std::to_chars(buffer, buffer + kFixedBufferSize, value,
                       std::chars_format::fixed, decimals)
      .ptr;
}

}  // namespace junheng::checklist
