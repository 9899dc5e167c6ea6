#pragma once
// HugePageAllocator: a std::allocator for the large, randomly read lookup
// tables of the intel sets. Blocks of 2 MiB or more are 2 MiB-aligned and
// marked MADV_HUGEPAGE before they are first touched, so that the kernel
// (transparent huge pages in "madvise" mode, the Debian default) backs them
// with 2 MiB pages: a random lookup then rarely misses the TLB, where with
// 4 KiB pages nearly every lookup in a 32 MiB table would pay a page walk.
// Smaller blocks are ordinary allocations.
#include <cstddef>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace picket::intel {

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes));
    void* p = ::operator new(rounded(bytes), std::align_val_t(kHugePage));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    ::madvise(p, rounded(bytes), MADV_HUGEPAGE);  // advice only: failure just means small pages
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) ::operator delete(p);
    else ::operator delete(p, std::align_val_t(kHugePage));
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }

 private:
  static std::size_t rounded(std::size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }
};

}  // namespace picket::intel
