// The contract between the stand-in driver (driver.cpp, built as libcuda.so.1) and the kernel libraries
// (one per PTX module, built from src/main/cuda with cuda_emulation.h): how the driver asks a library to
// run one thread block of one kernel.
#pragma once

namespace cuda_emulation {

// Order in which the threads of a block run between two barriers. The kernels must give the same bits in
// every order; a result that depends on it is a data race between barriers.
enum Order { ORDER_FORWARD = 0, ORDER_REVERSE = 1, ORDER_SHUFFLE = 2 };

struct LaunchBlock {
  void** params;           // cuLaunchKernel's kernelParams: one pointer per kernel argument
  unsigned grid[3];        // gridDim
  unsigned block[3];       // blockDim
  unsigned index[3];       // blockIdx of the block to run
  unsigned sharedBytes;    // dynamic shared memory of the launch
  int order;               // an Order
  unsigned long long seed; // for ORDER_SHUFFLE
};

// Every kernel library exports, for each kernel NAME of its module, this function ...
typedef void (*BlockFunction)(const LaunchBlock*);
#define CUDA_EMULATION_BLOCK_PREFIX "cuda_emulation_block_"
// ... and this one, the kernel names separated by spaces, to be compared with the PTX's .entry list.
typedef const char* (*KernelListFunction)();
#define CUDA_EMULATION_KERNEL_LIST "cuda_emulation_kernels"

}  // namespace cuda_emulation
