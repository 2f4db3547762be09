// Memory for big tables read at random on hot paths: the verification
// index (every verification reads one slot of it) and the key table
// (replay's fold and the writer). With a million keys they span hundreds of MiB, so
// with 4 KiB pages nearly every lookup would also miss the TLB. Memory from
// here is backed by transparent huge pages where the kernel offers them on
// request (THP "madvise" mode, Debian's default): one TLB entry then covers
// 2 MiB. At 1M keys this about doubled in-process verifications per second
// (tests/bench/verify_inprocess_bench.cc; see docs/BENCHMARKS.md).
#pragma once

#include <cstddef>
#include <memory_resource>

namespace keyledger {

// Large blocks straight from mmap, 2 MiB-aligned and advised as huge pages;
// small blocks from the ordinary heap. Thread-safe (it keeps no state).
class HugePageResource final : public std::pmr::memory_resource {
 public:
  static constexpr std::size_t kHugePage = 2u << 20;
  // Blocks at least this big are mapped, in whole huge pages: at most 8x
  // the block is reserved, and only once a table is big enough to matter.
  static constexpr std::size_t kMapThreshold = 256u << 10;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* block, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;
};

}  // namespace keyledger
