#!/usr/bin/env bash
# bench: see docs/BENCHMARKS.md. Usage: jobs/bench.sh [--throughput] [--dynamax] [--end-to-end ...] [--memory ...]
# Always Spark's embedded local mode on this machine, with the test-scoped peers (Hipparchus, Commons Math,
# XChart) on the classpath. STATESPACE_DRIVER_MEMORY sets the heap (default 4g).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export STATESPACE_EMBEDDED=1
run_job bench "$@"
