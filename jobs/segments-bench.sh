#!/usr/bin/env bash
# Measures the segmented path of smooth (docs/BENCHMARKS.md, "One trajectory across tasks"). Run it on a
# quiet machine: every figure is wall time of a whole job.
#
#   jobs/segments-bench.sh WORKDIR [STEPS ...]      (default STEPS: 10000000 100000000)
#
# For each STEPS: writes one trajectory of STEPS steps as Parquet (bench class LongTrajectory: the tracking
# model conf/tracking.json, 5% gaps, 5% missing, 5% partly missing steps, drawn in chunks of 10^6 steps),
# then smooths it in embedded local mode (local[2], -Xmx4g, --engine sequential, Parquet output) with
# --segment-steps auto, and at STEPS <= 10^7 also in one task (--segment-steps 1000000000) for the time
# per 10^6 steps side by side; at 10^7 also on the local standalone cluster (jobs/local-cluster.sh, two
# workers of one core) on 1 and then 2 executors, for the scaling ratio. Each run's line in
# WORKDIR/results.txt: wall seconds, seconds per 10^6 steps, CPU seconds, peak resident set (KB), and the
# peak JVM heap sampled every second by jstat (eden + survivors + old, all tasks of the JVM together; the
# per-task bound is the segment's share, see ARCHITECTURE.md §7.5). Environment: SEGMENT_STEPS overrides
# auto; SKIP_CLUSTER=1 skips the cluster runs, SKIP_ONE_TASK=1 the one-task runs. A run that fails is recorded
# as a "failed" line in results.txt and the others still run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK="${1:?usage: jobs/segments-bench.sh WORKDIR [STEPS ...]}"
shift
STEPS=("$@")
[[ ${#STEPS[@]} -eq 0 ]] && STEPS=(10000000 100000000)
SEG="${SEGMENT_STEPS:-auto}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
export SPARK_LOCAL_IP=127.0.0.1 STATESPACE_DRIVER_MEMORY=4g
ensure_built
(cd "$ROOT" && mvn -q -B -DskipTests -Dskip.cuda.emulator test-compile) >&2
BENCH_CP="$(jar_path):$ROOT/target/test-classes:$(cat "$ROOT/target/bench-classpath.txt")"
RESULTS="$WORK/results.txt"

# peak_heap PID FILE: samples the JVM's used heap (KB) every second until it exits; writes the peak.
peak_heap() {
  local pid=$1 out=$2 peak=0 used
  while kill -0 "$pid" 2>/dev/null; do
    used=$(jstat -gc "$pid" 2>/dev/null | awk 'NR==2 {printf "%d", $3+$4+$6+$8}' || true)
    [[ -n "$used" && "$used" -gt "$peak" ]] && peak=$used
    sleep 1
  done
  echo "$peak" > "$out"
}

# run NAME STEPS ARGS...: one smooth job, timed, its result line appended to results.txt.
run() {
  local name=$1 steps=$2; shift 2
  local log="$WORK/$name.log" t0 t1 pid
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S %M" -o "$WORK/$name.time" "$ROOT/jobs/smooth.sh" "$@" > "$log" 2>&1 &
  local tpid=$! hpid="" pid="" i
  for i in $(seq 1 60); do
    pid=$(pgrep -n -P "$tpid" java || true)
    [[ -n "$pid" ]] && break
    sleep 1
  done
  if [[ -n "$pid" ]]; then peak_heap "$pid" "$WORK/$name.heap" & hpid=$!; fi
  if ! wait "$tpid"; then
    [[ -n "$hpid" ]] && wait "$hpid" || true
    echo "$name failed: see $log" | tee -a "$RESULTS" >&2
    return 0
  fi
  [[ -n "$hpid" ]] && wait "$hpid" || true
  t1=$(date +%s.%N)
  read -r user sys rss < "$WORK/$name.time"
  awk -v n="$name" -v s="$steps" -v a="$t0" -v b="$t1" -v u="$user" -v y="$sys" -v r="$rss" \
      -v h="$(cat "$WORK/$name.heap" 2>/dev/null || echo 0)" \
      'BEGIN {w=b-a; printf "%-28s steps %d wall %.1f s  per 1e6 steps %.1f s  cpu %.1f s  peak rss %d KB  peak heap %.0f MB\n", n, s, w, w/(s/1e6), u+y, r, h/1024}' \
      | tee -a "$RESULTS"
}

for T in "${STEPS[@]}"; do
  DATA="$WORK/long-$T.parquet"
  if [[ ! -d "$DATA" ]]; then
    java "${SPARK_JAVA_OPENS[@]}" -Xmx4g -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" -cp "$BENCH_CP" \
      io.statespace.bench.LongTrajectory "$ROOT/conf/tracking.json" "$T" "$DATA" >&2
  fi
  common=(--input "$DATA" --format parquet --model "$ROOT/conf/tracking.json" --overwrite --engine sequential
    --output-format parquet)
  run "segmented-$T" "$T" "${common[@]}" --output "$WORK/out-seg-$T" --segment-steps "$SEG" --master 'local[2]'
  if [[ "$T" -le 10000000 && "${SKIP_ONE_TASK:-0}" != 1 ]]; then
    run "one-task-$T" "$T" "${common[@]}" --output "$WORK/out-one-$T" --segment-steps 1000000000 --master 'local[2]'
  fi
  if [[ "$T" -eq 10000000 && "${SKIP_CLUSTER:-0}" != 1 ]]; then
    export STATESPACE_CLUSTER_DIR="$WORK/cluster" STATESPACE_WORKER_MEMORY=4g
    master=$("$ROOT/jobs/local-cluster.sh" start | tail -n 1)
    trap '"$ROOT/jobs/local-cluster.sh" stop >/dev/null 2>&1 || true' EXIT
    for cores in 1 2; do
      run "cluster-$cores-executor-$T" "$T" "${common[@]}" --output "$WORK/out-cluster-$cores-$T" --segment-steps "$SEG" \
        --master "$master" -- --conf spark.cores.max=$cores --conf spark.executor.cores=1 --conf spark.executor.memory=3g
    done
    "$ROOT/jobs/local-cluster.sh" stop >/dev/null
    trap - EXIT
    awk '/^cluster-1-executor/ {a=$5} /^cluster-2-executor/ {b=$5} END {if (b > 0) printf "cluster ratio 1 vs 2 executors at 10^7: %.2f\n", a/b}' \
      "$RESULTS" | tee -a "$RESULTS"
  fi
done
