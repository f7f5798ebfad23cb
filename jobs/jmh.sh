#!/usr/bin/env bash
# JMH benchmarks of the engines (src/jmh/java, Maven profile jmh). Arguments go to JMH, e.g.
#   jobs/jmh.sh -prof gc                      all engines and shapes, with allocation per step
#   jobs/jmh.sh EngineBenchmark.smooth -p engine=batched -f 1 -wi 3 -i 3
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/jobs/lib.sh"
spark_download_notice
(cd "$ROOT" && mvn -q -B -P jmh -DskipTests package) >&2
exec java -cp "$ROOT/target/test-classes:$ROOT/target/classes:$(cat "$ROOT/target/bench-classpath.txt")" \
  org.openjdk.jmh.Main "$@"
