// keyledgerd's I/O threads (server/daemon/io_contexts.h): each context runs
// on a thread of its own, `main` on the caller's, until stop().
#include "server/daemon/io_contexts.h"

#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

using keyledger::server::IoContexts;

TEST_CASE("every I/O context runs on its own thread, main on the caller's, until stop",
          "[server][daemon]") {
  IoContexts contexts(3);
  REQUIRE(contexts.all.size() == 3);
  CHECK(contexts.all.front() == &contexts.main);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::thread::id main_thread;
  // The last context to report stops them all, so run() returns only after
  // every context has run its handler.
  for (auto* context : contexts.all)
    boost::asio::post(*context, [&, context] {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
      if (context == &contexts.main) main_thread = std::this_thread::get_id();
      if (threads.size() == contexts.all.size()) contexts.stop();
    });
  contexts.run();
  CHECK(threads.size() == 3);
  CHECK(main_thread == std::this_thread::get_id());
}

TEST_CASE("one I/O thread is main alone, run on the caller's thread", "[server][daemon]") {
  IoContexts contexts(1);
  CHECK(contexts.extra.empty());
  REQUIRE(contexts.all.size() == 1);
  bool ran = false;
  boost::asio::post(contexts.main, [&] {
    ran = true;
    contexts.stop();
  });
  contexts.run();
  CHECK(ran);
}

TEST_CASE("idle I/O contexts keep running until stop", "[server][daemon]") {
  IoContexts contexts(2);
  // Nothing is posted to the extra context: it must not return early and
  // leave main's handler to stop a context that has already finished.
  std::thread::id extra_thread;
  boost::asio::post(contexts.main, [&] {
    boost::asio::post(*contexts.extra.front(), [&] {
      extra_thread = std::this_thread::get_id();
      contexts.stop();
    });
  });
  contexts.run();
  CHECK(extra_thread != std::thread::id{});
  CHECK(extra_thread != std::this_thread::get_id());
}
