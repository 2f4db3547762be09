#include "server/daemon/io_contexts.h"

#include <boost/asio/executor_work_guard.hpp>
#include <thread>

namespace keyledger::server {

namespace asio = boost::asio;

IoContexts::IoContexts(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i) extra.push_back(std::make_unique<asio::io_context>(1));
  all.push_back(&main);
  for (auto& context : extra) all.push_back(context.get());
}

void IoContexts::run() {
  // The other contexts have no work of their own when idle; the guards keep
  // their threads running until stop().
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  for (auto& context : extra) keep_running.push_back(asio::make_work_guard(*context));
  std::vector<std::thread> workers;
  for (auto& context : extra) workers.emplace_back([&context = *context] { context.run(); });
  main.run();
  for (auto& worker : workers) worker.join();
}

void IoContexts::stop() {
  for (auto* context : all) context->stop();
}

}  // namespace keyledger::server
