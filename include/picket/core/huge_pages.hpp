#pragma once
// Memory for big tables in 2 MiB pages. Blocks of 2 MiB or more are 2 MiB-
// aligned and marked MADV_HUGEPAGE before they are first touched, so that the
// kernel (transparent huge pages in "madvise" mode, the Debian default) backs
// them with 2 MiB pages:
//   * a random look-up then rarely misses the TLB, where with 4 KiB pages
//     nearly every look-up in a 32 MiB table pays a page walk;
//   * a table that fills as traffic arrives (the flow pool, the detector
//     shards' event store) takes one page fault per 2 MiB instead of 512,
//     which matters in virtual machines, where a fault costs microseconds
//     (measured 2.5 us per 4 KiB page against 1.3 us per 4 KiB of a huge page).
// Smaller blocks are ordinary allocations.
//
// HugePageAllocator is a std::allocator for vectors; map_zeroed_table /
// unmap_table give zero-filled memory (as calloc) for raw tables.
#include <cstddef>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace picket::core {

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) {
      // As std::allocator: over-aligned types (cache-line structs) get their alignment.
      if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
        return static_cast<T*>(::operator new(bytes, std::align_val_t(alignof(T))));
      return static_cast<T*>(::operator new(bytes));
    }
    void* p = ::operator new(rounded(bytes), std::align_val_t(kHugePage));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    ::madvise(p, rounded(bytes), MADV_HUGEPAGE);  // advice only: failure just means small pages
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= kHugePage) ::operator delete(p, std::align_val_t(kHugePage));
    else if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) ::operator delete(p, std::align_val_t(alignof(T)));
    else ::operator delete(p);
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }

 private:
  static std::size_t rounded(std::size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }
};

// Zero-filled memory of at least `bytes`, in huge pages where the kernel
// grants them; nullptr when the mapping fails. Pages are faulted in only as
// they are touched, as with calloc.
void* map_zeroed_table(std::size_t bytes);
void unmap_table(void* p, std::size_t bytes);

}  // namespace picket::core
