// keyledgerd's I/O threads: one io_context per thread. `main` (the
// listeners, signals and the connections placed on it) runs on the thread
// that calls run(), each of the others on a thread of its own. A connection
// stays on the context it was placed on, so its session is only ever
// touched by one thread and needs no strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

namespace keyledger::server {

class IoContexts {
 public:
  // `threads` contexts in all (at least one: `main`).
  explicit IoContexts(unsigned threads);
  IoContexts(const IoContexts&) = delete;
  IoContexts& operator=(const IoContexts&) = delete;

  // Runs every context, each on its thread, until stop(); returns once
  // every thread has finished.
  void run();
  // Stops every context; run() then returns. Callable from any thread.
  void stop();

  // Declared before `main`, so destroyed after it: an accept still pending
  // on `main` at shutdown holds a socket of one of these contexts.
  std::vector<std::unique_ptr<boost::asio::io_context>> extra;
  boost::asio::io_context main{1};
  std::vector<boost::asio::io_context*> all;  // `main` first
};

}  // namespace keyledger::server
