// CUDA C on the CPU, for testing only: the kernel sources of src/main/cuda compile with g++ when this
// header is force-included (-include). Each CUDA thread of a block is a fiber (ucontext) with a stack of
// its own; __syncthreads() switches back to the block's scheduler, which runs every fiber up to the next
// barrier before any goes past it (threads that have returned count as arrived, as on sm_70+). One OS
// thread runs a whole block, so __shared__ storage is thread_local: per block, as on a GPU. The driver
// (driver.cpp) hands blocks to OS threads in parallel; atomics are real atomics.
#pragma once

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <vector>

#include "cuda_emulation_abi.h"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ thread_local

namespace cuda_emulation {

struct Index3 {
  unsigned x, y, z;
};

inline thread_local Index3 thread_index;
inline thread_local Index3 block_index;
inline thread_local Index3 block_dim;
inline thread_local Index3 grid_dim;

// Stack of one fiber; deep enough for the largest kernel frame at -O0 with N = 8 register arrays.
constexpr size_t FIBER_STACK_BYTES = 512 * 1024;

struct Fiber {
  ucontext_t context;
  Index3 index;
  bool done;
};

// The per-OS-thread scheduler of the block being run, and the fibers' stacks (kept between blocks).
struct BlockScheduler {
  ucontext_t scheduler;
  std::vector<Fiber> fibers;
  std::vector<char*> stacks;
  Fiber* current = nullptr;
  void (*body)(void*) = nullptr;
  void* argument = nullptr;

  ~BlockScheduler() {
    long page = sysconf(_SC_PAGESIZE);
    for (char* s : stacks) munmap(s - page, FIBER_STACK_BYTES + page);
  }

  char* stack(size_t i) {
    long page = sysconf(_SC_PAGESIZE);
    while (stacks.size() <= i) {
      // A PROT_NONE page below each stack turns an overflow into a fault instead of silent corruption.
      void* m = mmap(nullptr, FIBER_STACK_BYTES + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
          -1, 0);
      if (m == MAP_FAILED) {
        fprintf(stderr, "cuda emulation: cannot map a fiber stack\n");
        abort();
      }
      mprotect(m, page, PROT_NONE);
      stacks.push_back(static_cast<char*>(m) + page);
    }
    return stacks[i];
  }
};

inline thread_local BlockScheduler scheduler;

// The module's extern __shared__ array (this OS thread's copy) and its size; set by the generated file
// (build.sh) through CUDA_EMULATION_DYNAMIC_SHARED.
inline void* (*dynamic_shared_area)() = nullptr;
inline size_t dynamic_shared_bytes = 0;

inline void fiberMain(int i) {
  BlockScheduler& s = scheduler;
  s.body(s.argument);
  s.fibers[i].done = true;  // returning resumes uc_link, the scheduler
}

// __syncthreads(): back to the scheduler; it resumes this fiber once every other one has arrived.
inline void barrier() {
  BlockScheduler& s = scheduler;
  Fiber* self = s.current;
  if (self == nullptr) return;
  swapcontext(&self->context, &s.scheduler);
}

inline unsigned long long mix(unsigned long long x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Runs body(argument) once per thread of the block described by b, in rounds between barriers.
inline void runBlock(const LaunchBlock* b, void (*body)(void*), void* argument) {
  BlockScheduler& s = scheduler;
  block_index = {b->index[0], b->index[1], b->index[2]};
  block_dim = {b->block[0], b->block[1], b->block[2]};
  grid_dim = {b->grid[0], b->grid[1], b->grid[2]};
  const unsigned threads = b->block[0] * b->block[1] * b->block[2];
  if (b->sharedBytes > 0) {
    if (dynamic_shared_area == nullptr || b->sharedBytes > dynamic_shared_bytes) {
      fprintf(stderr, "cuda emulation: %u bytes of dynamic shared memory requested, %zu available\n", b->sharedBytes,
          dynamic_shared_bytes);
      abort();
    }
    // Shared memory starts undefined on a GPU: NaN bytes make a read before a write show in the results.
    memset(dynamic_shared_area(), 0xff, b->sharedBytes);
  }
  s.body = body;
  s.argument = argument;
  s.fibers.resize(threads);
  for (unsigned i = 0; i < threads; i++) {
    Fiber& f = s.fibers[i];
    f.index = {i % b->block[0], (i / b->block[0]) % b->block[1], i / (b->block[0] * b->block[1])};
    f.done = false;
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = s.stack(i);
    f.context.uc_stack.ss_size = FIBER_STACK_BYTES;
    f.context.uc_link = &s.scheduler;
    makecontext(&f.context, reinterpret_cast<void (*)()>(fiberMain), 1, static_cast<int>(i));
  }
  std::vector<unsigned> order(threads);
  unsigned long long state = mix(b->seed ^ (b->index[0] + 0x10000ULL * b->index[1]));
  for (bool pending = true; pending;) {
    pending = false;
    for (unsigned k = 0; k < threads; k++) order[k] = b->order == ORDER_REVERSE ? threads - 1 - k : k;
    if (b->order == ORDER_SHUFFLE) {
      for (unsigned k = threads; k > 1; k--) {
        state = mix(state);
        std::swap(order[k - 1], order[state % k]);
      }
    }
    for (unsigned k = 0; k < threads; k++) {
      Fiber& f = s.fibers[order[k]];
      if (f.done) continue;
      s.current = &f;
      thread_index = f.index;
      swapcontext(&s.scheduler, &f.context);
      if (!f.done) pending = true;
    }
  }
  s.current = nullptr;
}

// Calls a kernel with the arguments that kernelParams points at, typed by the kernel's own signature.
template <class... A, size_t... I>
inline void invoke(void (*kernel)(A...), void** params, std::index_sequence<I...>) {
  kernel(*static_cast<std::remove_reference_t<A>*>(params[I])...);
}

template <class... A>
inline void runKernelBlock(void (*kernel)(A...), const LaunchBlock* b) {
  struct Call {
    void (*kernel)(A...);
    void** params;
  } call{kernel, b->params};
  runBlock(b, [](void* c) {
    Call* x = static_cast<Call*>(c);
    invoke(x->kernel, x->params, std::index_sequence_for<A...>{});
  }, &call);
}

}  // namespace cuda_emulation

#define threadIdx (::cuda_emulation::thread_index)
#define blockIdx (::cuda_emulation::block_index)
#define blockDim (::cuda_emulation::block_dim)
#define gridDim (::cuda_emulation::grid_dim)

inline void __syncthreads() { ::cuda_emulation::barrier(); }

template <class T>
inline T __ldg(const T* p) {
  return *p;
}

inline int atomicMin(int* address, int value) {
  int old = __atomic_load_n(address, __ATOMIC_RELAXED);
  while (value < old && !__atomic_compare_exchange_n(address, &old, value, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  return old;
}

// Defines the storage behind a kernel source's `extern __shared__ TYPE NAME[];` in namespace NS.
#define CUDA_EMULATION_DYNAMIC_SHARED(NS, TYPE, NAME, BYTES)                                          \
  namespace NS {                                                                                     \
  alignas(16) thread_local TYPE NAME[(BYTES) / sizeof(TYPE)];                                        \
  }                                                                                                  \
  static void* cuda_emulation_shared_area() { return NS::NAME; }                                     \
  static const bool cuda_emulation_shared_registered =                                               \
      (::cuda_emulation::dynamic_shared_area = cuda_emulation_shared_area,                           \
          ::cuda_emulation::dynamic_shared_bytes = sizeof(NS::NAME), true);

// One exported block function per kernel (the build script lists the kernels of each module).
#define CUDA_EMULATION_EXPORT(name)                                                       \
  extern "C" void cuda_emulation_block_##name(const ::cuda_emulation::LaunchBlock* b) { \
    ::cuda_emulation::runKernelBlock(&name, b);                                         \
  }
