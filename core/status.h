// Errors as values for core, storage and projections.
//
// A Status is a code chosen by what the caller should do about it (retry,
// fix the input, give up), a reason from the closed set in core/reasons.h
// (kNameTooLong, whose stable name "name_too_long" the server maps to its
// wire error codes and to translated messages), an English message for logs
// and tools, and the name of the offending field when there is one.
// StatusOr<T> is a T or a non-OK Status. Both are [[nodiscard]] so an
// ignored error is a compile error.
//
// A debug build (NDEBUG not defined) also catches at run time a Status
// that is kept but never looked at, as RocksDB's ASSERT_STATUS_CHECKED
// does: destroying a Status (ok or not) that nobody checked aborts. Any
// observer (is_ok, code, is, reason, message, to_string, …) or ignore()
// checks it. A copy or a move is a new obligation and checks its source,
// so a moved-from Status never aborts. One dropped while an exception
// unwinds does not abort either: the exception took its place. A release build keeps no flag: the
// class is its four fields and its defaulted copies and moves. Every file
// of one binary must agree on NDEBUG, as the layout depends on it.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/reasons.h"

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
  // `reason` is kNone exactly when `code` is kOk.
  Status(StatusCode code, Reason reason, std::string message, std::string field = {})
      : code_(code), reason_(reason), message_(std::move(message)), field_(std::move(field)) {
    assert((code == StatusCode::kOk) == (reason == Reason::kNone));
  }

#ifndef NDEBUG
  Status(const Status& other);
  Status(Status&& other) noexcept;
  Status& operator=(const Status& other);
  Status& operator=(Status&& other) noexcept;
  ~Status();
#endif

  static Status ok() { return {}; }

  bool is_ok() const {
    mark_checked();
    return code_ == StatusCode::kOk;
  }
  StatusCode code() const {
    mark_checked();
    return code_;
  }
  // Whether this is a failure for `reason`: what code branches on.
  bool is(Reason reason) const {
    mark_checked();
    return reason_ == reason;
  }
  // The reason itself, to pass it on in another Status.
  Reason reason_id() const {
    mark_checked();
    return reason_;
  }
  // The reason's stable name, e.g. "name_too_long"; empty when ok.
  const std::string& reason() const {
    mark_checked();
    return reason_string(reason_);
  }
  const std::string& message() const {
    mark_checked();
    return message_;
  }
  // The input field the error is about, or empty.
  const std::string& field() const {
    mark_checked();
    return field_;
  }

  // "invalid_argument (name_too_long): the name is longer than 100 characters"
  std::string to_string() const;

  // Explicitly discards a status whose failure does not matter to the caller.
  void ignore() const { mark_checked(); }

 private:
  template <typename T>
  friend class StatusOr;  // asserts on code_ without checking it

#ifdef NDEBUG
  void mark_checked() const {}
#else
  void mark_checked() const { checked_ = true; }
#endif

  StatusCode code_ = StatusCode::kOk;
  Reason reason_ = Reason::kNone;
#ifndef NDEBUG
  // Whether this Status was looked at; it fits in the padding after reason_.
  mutable bool checked_ = false;
#endif
  std::string message_;
  std::string field_;
};

// No cost on the hot path: the debug flag lives in padding, so a Status is
// as big in both builds (and smaller than when the reason was a string).
static_assert(sizeof(Status) == 8 + 2 * sizeof(std::string));

Status invalid_argument(Reason reason, std::string message, std::string field = {});
Status not_found(Reason reason, std::string message);
Status already_exists(Reason reason, std::string message, std::string field = {});
Status failed_precondition(Reason reason, std::string message);
Status unavailable(Reason reason, std::string message);
Status corruption(Reason reason, std::string message);
Status internal_error(Reason reason, std::string message);

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}        // NOLINT: implicit by design
  StatusOr(Status status) : value_(std::move(status)) {  // NOLINT: implicit by design
    assert(std::get<Status>(value_).code_ != StatusCode::kOk &&
           "StatusOr needs a value or an error");
  }

  // Checks the error held, if any (see Status).
  bool is_ok() const {
    if (const Status* error = std::get_if<Status>(&value_)) error->ignore();
    return std::holds_alternative<T>(value_);
  }
  const Status& status() const {
    static const Status kOk;
    kOk.ignore();  // shared by every caller, destroyed at exit
    return std::holds_alternative<T>(value_) ? kOk : std::get<Status>(value_);
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

// Returns early from the enclosing function when `expr` is not ok, with a
// Status of its own that the caller must check (a move, never the checked
// local itself, whatever the compiler elides).
#define KEYLEDGER_RETURN_IF_ERROR(expr)                                                       \
  do {                                                                                        \
    ::keyledger::Status keyledger_status_ = (expr);                                           \
    if (!keyledger_status_.is_ok()) return ::keyledger::Status(std::move(keyledger_status_)); \
  } while (false)
