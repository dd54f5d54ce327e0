// Checks shared by the fuzz targets.
#ifndef JUNHENG_TESTS_FUZZ_FUZZ_UTIL_H_
#define JUNHENG_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "common/utf8.h"

namespace junheng::fuzz {

using ::junheng::IsValidUtf8;

// Fails the run: libFuzzer saves the input as a crash reproducer, and the
// replay test fails on it.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what.c_str());
  std::abort();
}

}  // namespace junheng::fuzz

#endif  // JUNHENG_TESTS_FUZZ_FUZZ_UTIL_H_
