// Doubles written with a fixed number of decimals, digit for digit as
// printf's "%.*f" (and std::to_chars in fixed format) writes them: the exact
// binary value rounded to the decimals, ties to even.
//
// The reasons of a county reply hold thousands of figures, and the general
// algorithm (Ryu's, behind std::to_chars) cost more than everything else of
// rendering them. A figure of a report is small (|x| · 10^decimals below
// 2⁶³), and for those the rounding is one integer product and shift:
// x = m · 2^e exactly, so x · 10^d = m · 5^d · 2^(e+d), a 128-bit integer
// shifted by e + d with the bits shifted out deciding the rounding.
#ifndef JUNHENG_CHECKLIST_SERVICE_EVALUATOR_FIXED_H_
#define JUNHENG_CHECKLIST_SERVICE_EVALUATOR_FIXED_H_

#include <cstdint>
#include <optional>

namespace junheng::checklist {

// The most decimals ScaledRound takes.
inline constexpr int kMaxFixedDecimals = 15;

// |value| · 10^decimals rounded to the nearest integer, ties to even, as
// printf rounds "%.*f": the digits it prints without the point. nullopt
// when `value` is not finite or the result is 2⁶³ or more (then use the
// general path). Precondition: 0 <= decimals <= kMaxFixedDecimals.
std::optional<uint64_t> ScaledRound(double value, int decimals);

// The text of ScaledRound's `scaled` with `decimals` decimals ("0.001" for
// 1 and 3), after a minus sign when `negative`, into `buffer` (at least 42
// bytes); returns the end of the text.
char* WriteScaled(char* buffer, bool negative, uint64_t scaled, int decimals);

// Writes `value` with `decimals` decimals as printf's "%.*f" does ("-0.500",
// "12", "0.001") into `buffer`, which must hold kFixedBufferSize bytes;
// returns the end of the text.
inline constexpr int kFixedBufferSize = 400;  // -1.8e308 with 15 decimals
char* WriteFixed(char* buffer, double value, int decimals);

}  // namespace junheng::checklist

#endif  // JUNHENG_CHECKLIST_SERVICE_EVALUATOR_FIXED_H_
