// Errors as values for core, storage and projections.
//
// A Status is a code chosen by what the caller should do about it (retry,
// fix the input, give up), a stable machine-readable reason such as
// "name_too_long" that the server maps to its wire error codes and to
// translated messages, an English message for logs and tools, and the name of
// the offending field when there is one. StatusOr<T> is a T or a non-OK
// Status. Both are [[nodiscard]] so an ignored error is a compile error.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace keyledger {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the input is wrong; do not retry unchanged
  kNotFound,            // the thing does not exist (or is not the caller's)
  kAlreadyExists,       // the thing exists already
  kFailedPrecondition,  // the state does not allow it; do not retry unchanged
  kPermissionDenied,    // the caller may not do this
  kUnauthenticated,     // the credentials are invalid
  kResourceExhausted,   // a limit was hit; retry later
  kUnavailable,         // storage or a dependency failed; retry later
  kCorruption,          // stored data is damaged; needs an operator
  kInternal,            // a bug
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string reason, std::string message, std::string field = {})
      : code_(code), reason_(std::move(reason)), message_(std::move(message)), field_(std::move(field)) {}

  static Status ok() { return {}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Stable machine-readable reason, e.g. "name_too_long"; empty when ok.
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }
  // The input field the error is about, or empty.
  const std::string& field() const { return field_; }

  // "invalid_argument (name_too_long): the name is longer than 100 characters"
  std::string to_string() const;

  // Explicitly discards a status whose failure does not matter to the caller.
  void ignore() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string reason_;
  std::string message_;
  std::string field_;
};

Status invalid_argument(std::string reason, std::string message, std::string field = {});
Status not_found(std::string reason, std::string message);
Status already_exists(std::string reason, std::string message, std::string field = {});
Status failed_precondition(std::string reason, std::string message);
Status unavailable(std::string reason, std::string message);
Status corruption(std::string reason, std::string message);
Status internal_error(std::string reason, std::string message);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : value_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(value_).is_ok() && "StatusOr needs a value or an error");
  }

  bool is_ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(value_);
  }
  T& value() & {
    assert(is_ok());
    return std::get<T>(value_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(value_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(value_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace keyledger

// Returns early from the enclosing function when `expr` is not ok.
#define KEYLEDGER_RETURN_IF_ERROR(expr)           \
  do {                                            \
    ::keyledger::Status keyledger_status_ = (expr); \
    if (!keyledger_status_.is_ok()) return keyledger_status_; \
  } while (false)
