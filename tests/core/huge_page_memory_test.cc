#include "core/huge_page_memory.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>

using keyledger::HugePageResource;

TEST_CASE("large blocks are mapped on huge-page boundaries and usable to the last byte",
          "[core][memory]") {
  HugePageResource pages;
  for (std::size_t bytes :
       {HugePageResource::kMapThreshold, std::size_t{3} << 20, (std::size_t{5} << 20) + 17}) {
    INFO("bytes " << bytes);
    void* block = pages.allocate(bytes, alignof(std::max_align_t));
    REQUIRE(block != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(block) % HugePageResource::kHugePage == 0);
    std::memset(block, 0xab, bytes);
    CHECK(static_cast<unsigned char*>(block)[bytes - 1] == 0xab);
    pages.deallocate(block, bytes, alignof(std::max_align_t));
  }
}

TEST_CASE("small blocks come from the heap with the alignment asked for", "[core][memory]") {
  HugePageResource pages;
  for (std::size_t alignment : {std::size_t{8}, std::size_t{64}, std::size_t{4096}}) {
    void* block = pages.allocate(100, alignment);
    CHECK(reinterpret_cast<std::uintptr_t>(block) % alignment == 0);
    std::memset(block, 1, 100);
    pages.deallocate(block, 100, alignment);
  }
  HugePageResource other;
  CHECK(pages.is_equal(other));  // stateless: either frees what the other gave
  CHECK_FALSE(pages.is_equal(*std::pmr::new_delete_resource()));
}
