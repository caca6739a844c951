// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status code (our Abseil,
// 20220623, has no status macros of its own).
#ifndef SALESOPS_SERVER_COMMON_STATUS_MACROS_H_
#define SALESOPS_SERVER_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// when it is not OK.
#define SALESOPS_RETURN_IF_ERROR(expr)                \
  do {                                                \
    ::absl::Status salesops_status_ = (expr);         \
    if (!salesops_status_.ok()) return salesops_status_; \
  } while (0)

#define SALESOPS_CONCAT_INNER_(a, b) a##b
#define SALESOPS_CONCAT_(a, b) SALESOPS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::StatusOr<T>); returns its status when not OK,
// otherwise moves the value into `lhs` (a declaration or an lvalue).
#define SALESOPS_ASSIGN_OR_RETURN(lhs, expr) \
  SALESOPS_ASSIGN_OR_RETURN_IMPL_(SALESOPS_CONCAT_(salesops_or_, __LINE__), lhs, expr)
#define SALESOPS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

#endif  // SALESOPS_SERVER_COMMON_STATUS_MACROS_H_
