#include "core/huge_page_memory.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace keyledger {
namespace {

std::size_t round_up(std::size_t bytes, std::size_t to) { return (bytes + to - 1) / to * to; }

}  // namespace

void* HugePageResource::do_allocate(std::size_t bytes, std::size_t alignment) {
  if (bytes < kMapThreshold || alignment > kHugePage)
    return std::pmr::new_delete_resource()->allocate(bytes, alignment);
  // Over-map by one huge page and trim, so the block starts on a 2 MiB
  // boundary and every 2 MiB of it can be one huge page.
  const std::size_t size = round_up(bytes, kHugePage);
  void* mapped =
      ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(mapped);
  const std::uintptr_t aligned = round_up(start, kHugePage);
  if (aligned > start) ::munmap(mapped, aligned - start);
  const std::uintptr_t end = start + size + kHugePage;
  if (end > aligned + size) ::munmap(reinterpret_cast<void*>(aligned + size), end - aligned - size);
  // Advice only: where huge pages are off or exhausted this changes nothing.
  ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void HugePageResource::do_deallocate(void* block, std::size_t bytes, std::size_t alignment) {
  if (bytes < kMapThreshold || alignment > kHugePage)
    return std::pmr::new_delete_resource()->deallocate(block, bytes, alignment);
  ::munmap(block, round_up(bytes, kHugePage));
}

bool HugePageResource::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
  // Stateless: any instance frees what another allocated.
  return dynamic_cast<const HugePageResource*>(&other) != nullptr;
}

}  // namespace keyledger
