// RETURN_IF_ERROR and ASSIGN_OR_RETURN: Abseil 20220623 (Debian 12) has no
// public versions of these.
#ifndef JUNHENG_COMMON_STATUS_MACROS_H_
#define JUNHENG_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define JH_CONCAT_INNER_(a, b) a##b
#define JH_CONCAT_(a, b) JH_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                 \
  do {                                                        \
    if (absl::Status jh_status_ = (expr); !jh_status_.ok()) { \
      return jh_status_;                                      \
    }                                                         \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(JH_CONCAT_(jh_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                           \
  if (!statusor.ok()) return statusor.status();     \
  lhs = std::move(statusor).value()

#endif  // JUNHENG_COMMON_STATUS_MACROS_H_
