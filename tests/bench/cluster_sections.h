// The four benchmarks of keyledger_bench_cluster (cluster_bench.cc says what
// each compares). Each prints its Markdown table and whether its goal is
// met; none asserts a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/bench/bench_common.h"
#include "tests/bench/cluster_nodes.h"

namespace keyledger::bench {

struct ClusterOptions {
  int runs = 3;
  std::uint64_t events = 1'000'000;
  int deletions = 1000;
  double seconds = 3;
  double warmup = 1;
  int connections = 50;
  int clients = 8;
};

void deletion_benchmark(Trio& trio, const BenchNats& nats, const ClusterOptions& options);
void throughput_benchmark(Trio& trio, const ClusterOptions& options,
                          const std::filesystem::path& scratch);
void publishing_benchmark(const BenchNats& nats, const ClusterOptions& options,
                          const std::filesystem::path& dir);
void catchup_benchmark(const BenchNats& nats, const ClusterOptions& options,
                       const std::filesystem::path& dir);

}  // namespace keyledger::bench
