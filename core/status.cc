#include "core/status.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "core/enum_table.h"

#ifndef NDEBUG
#ifdef __SANITIZE_ADDRESS__
extern "C" void __sanitizer_print_stack_trace();
#else
#include <execinfo.h>
#include <unistd.h>
#endif
#endif

namespace keyledger {

namespace {

// Name first: the test that finds every reason an HTTP answer can carry
// reads `StatusCode::k…, "…"` as a Status made with that reason.
struct CodeName {
  std::string_view name;
  StatusCode code;
};

// Each code's stable name, in StatusCode's order (core/enum_table.h).
constexpr std::array<CodeName, 11> kCodeNames = {{
    {"ok", StatusCode::kOk},
    {"invalid_argument", StatusCode::kInvalidArgument},
    {"not_found", StatusCode::kNotFound},
    {"already_exists", StatusCode::kAlreadyExists},
    {"failed_precondition", StatusCode::kFailedPrecondition},
    {"permission_denied", StatusCode::kPermissionDenied},
    {"unauthenticated", StatusCode::kUnauthenticated},
    {"resource_exhausted", StatusCode::kResourceExhausted},
    {"unavailable", StatusCode::kUnavailable},
    {"corruption", StatusCode::kCorruption},
    {"internal", StatusCode::kInternal},
}};

static_assert(covers_enum_in_order(kCodeNames, &CodeName::code, StatusCode::kInternal));

}  // namespace

std::string_view status_code_name(StatusCode code) {
  const CodeName* entry = enum_entry(kCodeNames, code);
  return entry ? entry->name : "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(status_code_name(code_));
  out += " (" + reason() + "): " + message_;
  if (!field_.empty()) out += " [field " + field_ + "]";
  return out;
}

#ifndef NDEBUG
namespace {

[[noreturn]] void abort_unchecked(const Status& status) {
  std::fprintf(stderr, "keyledger: a Status was destroyed without being checked: %s\n",
               status.to_string().c_str());
#ifdef __SANITIZE_ADDRESS__
  __sanitizer_print_stack_trace();
#else
  void* frames[64];
  backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
#endif
  std::abort();
}

}  // namespace

Status::Status(const Status& other)
    : code_(other.code_), reason_(other.reason_), message_(other.message_), field_(other.field_) {
  other.mark_checked();
}

Status::Status(Status&& other) noexcept
    : code_(other.code_),
      reason_(other.reason_),
      message_(std::move(other.message_)),
      field_(std::move(other.field_)) {
  other.mark_checked();
}

Status& Status::operator=(const Status& other) {
  if (this == &other) return *this;
  code_ = other.code_;
  reason_ = other.reason_;
  message_ = other.message_;
  field_ = other.field_;
  other.mark_checked();
  checked_ = false;
  return *this;
}

Status& Status::operator=(Status&& other) noexcept {
  if (this == &other) return *this;
  code_ = other.code_;
  reason_ = other.reason_;
  message_ = std::move(other.message_);
  field_ = std::move(other.field_);
  other.mark_checked();
  checked_ = false;
  return *this;
}

Status::~Status() {
  // While an exception unwinds the stack, a Status left unchecked is one
  // the exception took the place of, not one that was forgotten.
  if (!checked_ && std::uncaught_exceptions() == 0) abort_unchecked(*this);
}
#endif

Status invalid_argument(Reason reason, std::string message, std::string field) {
  return {StatusCode::kInvalidArgument, reason, std::move(message), std::move(field)};
}
Status not_found(Reason reason, std::string message) {
  return {StatusCode::kNotFound, reason, std::move(message)};
}
Status already_exists(Reason reason, std::string message, std::string field) {
  return {StatusCode::kAlreadyExists, reason, std::move(message), std::move(field)};
}
Status failed_precondition(Reason reason, std::string message) {
  return {StatusCode::kFailedPrecondition, reason, std::move(message)};
}
Status unavailable(Reason reason, std::string message) {
  return {StatusCode::kUnavailable, reason, std::move(message)};
}
Status corruption(Reason reason, std::string message) {
  return {StatusCode::kCorruption, reason, std::move(message)};
}
Status internal_error(Reason reason, std::string message) {
  return {StatusCode::kInternal, reason, std::move(message)};
}

}  // namespace keyledger
