#!/usr/bin/env bash
# Shared launcher for jobs/*.sh. Arguments before a lone "--" go to the job; after it, to spark-submit.
# With SPARK_HOME pointing at a Spark installation the job goes through spark-submit (any --master);
# otherwise it runs in Spark's embedded local mode from the project's own resolved dependencies.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR_GLOB="$ROOT/target/statespace-*-spark.jar"

# The --add-opens list Spark needs on Java 17 (Spark's launcher JavaModuleOptions); same as pom.xml.
SPARK_JAVA_OPENS=(-XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)

# On a machine whose Maven repository lacks this project's Spark (a first build), says once that Maven is
# about to download it: Spark and its dependencies are about 300 MB, fetched into ~/.m2 and reused after.
spark_download_notice() {
  local version repo
  version=$(sed -n 's|.*<spark.version>\(.*\)</spark.version>.*|\1|p' "$ROOT/pom.xml" | head -n 1)
  repo="${STATESPACE_MAVEN_REPO:-$HOME/.m2/repository}"
  if [[ ! -d "$repo/org/apache/spark/spark-core_2.13/$version" ]]; then
    echo "first build on this machine: Maven downloads Apache Spark $version and its dependencies (about 300 MB) into $repo once; later runs reuse them" >&2
  fi
}

# Builds the jar and the classpath file when missing or older than the sources.
ensure_built() {
  local jar
  jar=$(ls $JAR_GLOB 2>/dev/null | head -n 1 || true)
  if [[ -z "$jar" || ! -f "$ROOT/target/classpath.txt" || ! -f "$ROOT/target/bench-classpath.txt" ]] \
     || [[ -n "$(find "$ROOT/src/main" "$ROOT/src/bench" "$ROOT/pom.xml" -newer "$jar" -type f 2>/dev/null | head -n 1)" ]]; then
    spark_download_notice
    echo "building statespace (mvn package, tests skipped)..." >&2
    (cd "$ROOT" && mvn -q -B -DskipTests package) >&2
  fi
}

jar_path() {
  ls $JAR_GLOB | head -n 1
}

# Loopback unless told otherwise, but only for masters on this machine: a real cluster's executors must
# reach the driver's real address.
pin_loopback() {
  local master="$1"
  if [[ -z "$master" || "$master" == local* || "$master" == spark://127.* || "$master" == spark://localhost* ]]; then
    export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  fi
}

# run_job SUBCOMMAND [job args] [-- spark-submit options]
run_job() {
  local sub="$1"; shift
  local app=() spark=() master=""
  while [[ $# -gt 0 ]]; do
    if [[ "$1" == "--" ]]; then shift; spark=("$@"); break; fi
    if [[ "$1" == "--master" && $# -ge 2 ]]; then master="$2"; fi
    if [[ "$1" == --master=* ]]; then master="${1#--master=}"; fi
    app+=("$1"); shift
  done
  ensure_built
  pin_loopback "$master"
  local submit_args=(--class io.statespace.cli.Main)
  [[ -n "$master" ]] && submit_args+=(--master "$master")
  if [[ -n "${SPARK_HOME:-}" && -x "${SPARK_HOME}/bin/spark-submit" && "${STATESPACE_EMBEDDED:-0}" != 1 ]]; then
    exec "${SPARK_HOME}/bin/spark-submit" "${submit_args[@]}" \
      --driver-java-options "-Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties" \
      "${spark[@]}" "$(jar_path)" "$sub" "${app[@]}"
  fi
  # No Spark installation: run Spark's own SparkSubmit class from the project's resolved dependencies
  # (client mode, so the driver is this JVM; --driver-memory becomes its heap).
  local heap="${STATESPACE_DRIVER_MEMORY:-4g}" rest=() i=0
  while [[ $i -lt ${#spark[@]} ]]; do
    case "${spark[$i]}" in
      --driver-memory) heap="${spark[$((i+1))]}"; i=$((i+2)) ;;
      --driver-memory=*) heap="${spark[$i]#--driver-memory=}"; i=$((i+1)) ;;
      *) rest+=("${spark[$i]}"); i=$((i+1)) ;;
    esac
  done
  # bench also needs the test-scoped peers (src/bench/java, Hipparchus, XChart): never in the spark jar.
  local cp="$(jar_path):$(cat "$ROOT/target/classpath.txt")"
  if [[ "$sub" == bench ]]; then cp="$(jar_path):$ROOT/target/test-classes:$(cat "$ROOT/target/bench-classpath.txt")"; fi
  exec java "${SPARK_JAVA_OPENS[@]}" -Xmx"$heap" -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$ROOT/conf/log4j2.properties" \
    -cp "$cp" org.apache.spark.deploy.SparkSubmit \
    "${submit_args[@]}" "${rest[@]}" "$(jar_path)" "$sub" "${app[@]}"
}
