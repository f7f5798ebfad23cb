// Deterministic column sums on the device: in is column-major (column k of a rows x width table at
// in[k * rows + r]); pass 1 writes one partial per (column, block), pass 2 (one block per column) sums
// the partials. The order of additions depends only on rows and the launch shape, so a repeated run gives
// the same bits. Used for the log-likelihood (one column) and for the fitting statistics.
#pragma once
#include "dense.cuh"

namespace ss {

constexpr int REDUCE_THREADS = 256;

__device__ void reduceColumns(const double* __restrict__ in, long long rows, double* __restrict__ out) {
  __shared__ double partial[REDUCE_THREADS];
  const int col = blockIdx.y;
  const double* column = in + (long long)col * rows;
  double s = 0.0;
  for (long long r = (long long)blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += (long long)gridDim.x * blockDim.x) {
    s += column[r];
  }
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int d = blockDim.x >> 1; d > 0; d >>= 1) {
    if (threadIdx.x < d) partial[threadIdx.x] += partial[threadIdx.x + d];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[(long long)col * gridDim.x + blockIdx.x] = partial[0];
}

}  // namespace ss
