#!/usr/bin/env bash
# GPU harness (io.statespace.gpu.check.GpuCheck, no Spark): compares every GPU path with the CPU float64 engine
# and measures throughput. Usage: jobs/gpu-check.sh [--quick] [--dynamax] [--out DIR] [...]; --help lists
# the options. Exit codes: 0 agreement within 1e-9, 1 a GPU path disagreed, 2 bad usage, 3 no usable GPU.
# Runs from the built jar and target/classpath.txt (built here when missing or stale). On a GPU machine
# without Java or Maven, use the folder jobs/gpu-bundle.sh prepares instead (docs/GPU.md).
# --emulator (first): no GPU needed; runs on the CUDA emulator (src/test/cuda-emulator, built here with g++),
# which executes the kernels' source on the CPU: agreement is meaningful, timings are not.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/jobs/lib.sh"
ensure_built
if [[ "${1:-}" == "--emulator" ]]; then
  shift
  bash "$ROOT/src/test/cuda-emulator/build.sh" "$ROOT/target/cuda-emulator" >&2
  [[ -f "$ROOT/target/cuda-emulator/libcuda.so.1" ]] || { echo "gpu-check: the CUDA emulator could not be built" >&2; exit 2; }
  export LD_LIBRARY_PATH="$ROOT/target/cuda-emulator${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
JAR="$(ls "$ROOT"/target/statespace-*.jar | grep -v -- '-spark.jar$' | head -n 1)"
exec java -Xmx"${GPU_CHECK_HEAP:-24g}" -Djava.awt.headless=true \
  -cp "$JAR:$(cat "$ROOT/target/classpath.txt")" io.statespace.gpu.check.GpuCheck "$@"
