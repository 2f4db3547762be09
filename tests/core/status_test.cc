#include "core/status.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

using namespace keyledger;

namespace {

// A debug build aborts on a Status destroyed unchecked; a release build
// keeps no flag and never does. Each test below states both.
#ifdef NDEBUG
constexpr bool kChecksTracked = false;
#else
constexpr bool kChecksTracked = true;
#endif
// How a child that drops a Status unchecked ends: SIGABRT, or 0 (exited).
constexpr int kUncheckedEnd = kChecksTracked ? SIGABRT : 0;

// How a child process that ran `body` ended, and what it wrote to stderr.
struct ChildEnd {
  int signal = 0;     // the signal that ended it, or 0 when it exited
  int exit_code = 0;  // when it exited
  std::string stderr_text;
};

// Runs `body` in a forked child (Catch2 v2 has no death tests), so a
// Status that aborts ends the child, not the test run.
ChildEnd run_in_child(const std::function<void()>& body) {
  std::fflush(nullptr);
  int pipe_ends[2];
  REQUIRE(pipe(pipe_ends) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    dup2(pipe_ends[1], STDERR_FILENO);
    close(pipe_ends[0]);
    body();
    std::_Exit(0);  // no static destructors, no Catch2 reporting in the child
  }
  close(pipe_ends[1]);
  ChildEnd end;
  char buffer[4096];
  for (ssize_t got; (got = read(pipe_ends[0], buffer, sizeof buffer)) > 0;)
    end.stderr_text.append(buffer, static_cast<std::size_t>(got));
  close(pipe_ends[0]);
  int wait_status = 0;
  REQUIRE(waitpid(child, &wait_status, 0) == child);
  if (WIFSIGNALED(wait_status)) end.signal = WTERMSIG(wait_status);
  if (WIFEXITED(wait_status)) end.exit_code = WEXITSTATUS(wait_status);
  return end;
}

Status failed() { return invalid_argument(Reason::kNameTooLong, "the name is too long", "name"); }

StatusOr<int> failed_or_int() { return failed(); }

Status forwards(const Status& status) {
  KEYLEDGER_RETURN_IF_ERROR(status);
  return Status::ok();
}

}  // namespace

TEST_CASE("a status keeps its code, reason, message and field", "[core][status]") {
  const Status status = failed();
  CHECK(status.code() == StatusCode::kInvalidArgument);
  CHECK(status.is(Reason::kNameTooLong));
  CHECK_FALSE(status.is(Reason::kNameEmpty));
  CHECK(status.reason_id() == Reason::kNameTooLong);
  CHECK(status.reason() == "name_too_long");
  CHECK(status.message() == "the name is too long");
  CHECK(status.field() == "name");
  CHECK(status.to_string() ==
        "invalid_argument (name_too_long): the name is too long [field name]");
}

TEST_CASE("an ok status has no reason and an empty reason name", "[core][status]") {
  const Status status = Status::ok();
  CHECK(status.is_ok());
  CHECK(status.is(Reason::kNone));
  CHECK(status.reason().empty());
  CHECK(status.to_string() == "ok");
}

TEST_CASE("a reason passes from one status to another by value", "[core][status]") {
  const Status original = failed();
  const Status passed_on = corruption(original.reason_id(), "event 7: " + original.message());
  CHECK(passed_on.code() == StatusCode::kCorruption);
  CHECK(passed_on.is(Reason::kNameTooLong));
}

TEST_CASE("a failed status destroyed unchecked aborts a debug build, not a release build",
          "[core][status]") {
  const ChildEnd end = run_in_child([] { const Status status = failed(); });
  CHECK(end.signal == kUncheckedEnd);
  if (kChecksTracked) {
    CHECK_THAT(end.stderr_text, Catch::Contains("destroyed without being checked"));
    CHECK_THAT(end.stderr_text, Catch::Contains("invalid_argument (name_too_long)"));
  } else {
    CHECK(end.stderr_text.empty());
  }
}

TEST_CASE("an ok status destroyed unchecked aborts a debug build, not a release build",
          "[core][status]") {
  CHECK(run_in_child([] { const Status status = Status::ok(); }).signal == kUncheckedEnd);
}

TEST_CASE("any look at a status, or ignore(), checks it", "[core][status]") {
  const std::vector<std::pair<const char*, std::function<void(const Status&)>>> looks = {
      {"is_ok", [](const Status& s) { (void)s.is_ok(); }},
      {"code", [](const Status& s) { (void)s.code(); }},
      {"is", [](const Status& s) { (void)s.is(Reason::kNameEmpty); }},
      {"reason_id", [](const Status& s) { (void)s.reason_id(); }},
      {"reason", [](const Status& s) { (void)s.reason(); }},
      {"message", [](const Status& s) { (void)s.message(); }},
      {"field", [](const Status& s) { (void)s.field(); }},
      {"to_string", [](const Status& s) { (void)s.to_string(); }},
      {"ignore", [](const Status& s) { s.ignore(); }},
  };
  for (const auto& [name, look] : looks) {
    INFO(name);
    CHECK(run_in_child([&look = look] {
            const Status status = failed();
            look(status);
          }).signal == 0);
  }
}

TEST_CASE("a moved-from status never aborts; the status moved to must be checked",
          "[core][status]") {
  CHECK(run_in_child([] {
          Status source = failed();
          Status target = std::move(source);
          target.ignore();
        }).signal == 0);
  CHECK(run_in_child([] {
          Status source = failed();
          Status target = Status::ok();
          target.ignore();
          target = std::move(source);
          (void)target.is_ok();
        }).signal == 0);
  CHECK(run_in_child([] {
          Status source = failed();
          const Status target = std::move(source);
        }).signal == kUncheckedEnd);
}

TEST_CASE("a copy is an obligation of its own", "[core][status]") {
  // Copying checks the original, so only the copy is left to check.
  CHECK(run_in_child([] {
          const Status original = failed();
          const Status copy = original;
          copy.ignore();
        }).signal == 0);
  CHECK(run_in_child([] {
          const Status original = failed();
          original.ignore();
          const Status copy = original;
        }).signal == kUncheckedEnd);
  CHECK(run_in_child([] {
          const Status original = failed();
          Status copy = Status::ok();
          copy.ignore();
          copy = original;  // a new value to check
        }).signal == kUncheckedEnd);
}

TEST_CASE("a status or value holding an error must be checked; one holding a value need not",
          "[core][status]") {
  CHECK(run_in_child([] { const StatusOr<int> result = failed_or_int(); }).signal == kUncheckedEnd);
  CHECK(run_in_child([] {
          const StatusOr<int> result = failed_or_int();
          (void)result.is_ok();
        }).signal == 0);
  CHECK(run_in_child([] {
          const StatusOr<int> result = failed_or_int();
          (void)result.status().reason();
        }).signal == 0);
  CHECK(run_in_child([] { const StatusOr<int> result = 7; }).signal == 0);
}

TEST_CASE("KEYLEDGER_RETURN_IF_ERROR hands the error on for the caller to check",
          "[core][status]") {
  const ChildEnd checked = run_in_child([] {
    const Status status = failed();  // checked by the macro
    const Status returned = forwards(status);
    std::_Exit(returned.is(Reason::kNameTooLong) ? 0 : 1);
  });
  CHECK(checked.signal == 0);
  CHECK(checked.exit_code == 0);
  CHECK(run_in_child([] {
          const Status status = failed();
          const Status returned = forwards(status);
        }).signal == kUncheckedEnd);
}

TEST_CASE("a status dropped while an exception unwinds the stack does not abort",
          "[core][status]") {
  // The exception took its place: the error was not forgotten.
  CHECK(run_in_child([] {
          try {
            const Status status = failed();
            throw std::runtime_error("the fold failed");
          } catch (const std::runtime_error&) {
          }
        }).signal == 0);
}

TEST_CASE("every status code keeps its stable name", "[core][status]") {
  // Logs and the keyledger tool's output print these names.
  const std::pair<StatusCode, std::string_view> names[] = {
      {StatusCode::kOk, "ok"},
      {StatusCode::kInvalidArgument, "invalid_argument"},
      {StatusCode::kNotFound, "not_found"},
      {StatusCode::kAlreadyExists, "already_exists"},
      {StatusCode::kFailedPrecondition, "failed_precondition"},
      {StatusCode::kPermissionDenied, "permission_denied"},
      {StatusCode::kUnauthenticated, "unauthenticated"},
      {StatusCode::kResourceExhausted, "resource_exhausted"},
      {StatusCode::kUnavailable, "unavailable"},
      {StatusCode::kCorruption, "corruption"},
      {StatusCode::kInternal, "internal"}};
  for (const auto& [code, name] : names) CHECK(status_code_name(code) == name);
  CHECK(status_code_name(static_cast<StatusCode>(99)) == "unknown");
}
