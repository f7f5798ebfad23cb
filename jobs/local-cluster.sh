#!/usr/bin/env bash
# A real Spark standalone cluster on this machine: one master and two workers bound to 127.0.0.1, run
# from the project's own resolved dependencies (no Spark download).
#
#   jobs/local-cluster.sh start    # prints the master URL, spark://127.0.0.1:PORT
#   jobs/local-cluster.sh status
#   jobs/local-cluster.sh stop
#
# Then: jobs/smooth.sh ... --master spark://127.0.0.1:PORT
# Settings (environment): STATESPACE_CLUSTER_DIR (state, logs; default target/local-cluster),
# STATESPACE_CLUSTER_WORKERS (2), STATESPACE_WORKER_CORES (1), STATESPACE_WORKER_MEMORY (2g),
# STATESPACE_CLASSPATH (jars to run from; default: the build's target/classpath.txt).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${STATESPACE_CLUSTER_DIR:-$ROOT/target/local-cluster}"
WORKERS="${STATESPACE_CLUSTER_WORKERS:-2}"
CORES="${STATESPACE_WORKER_CORES:-1}"
MEMORY="${STATESPACE_WORKER_MEMORY:-2g}"
export SPARK_HOME="$DIR/home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
DAEMON_OPTS=(-Xmx512m -Dspark.master.rest.enabled=false -Dlog4j2.configurationFile="$ROOT/conf/log4j2-daemon.properties")

classpath() {
  if [[ -n "${STATESPACE_CLASSPATH:-}" ]]; then
    echo "$STATESPACE_CLASSPATH"
  else
    ensure_built
    cat "$ROOT/target/classpath.txt"
  fi
}

# A minimal SPARK_HOME the Worker accepts: jars/ (links to every dependency jar), conf/ and RELEASE.
make_home() {
  rm -rf "$SPARK_HOME"
  mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf" "$DIR/logs"
  touch "$SPARK_HOME/RELEASE"
  local jar
  while IFS= read -r jar; do
    [[ "$jar" == *.jar && -f "$jar" ]] && ln -sf "$jar" "$SPARK_HOME/jars/"
  done < <(classpath | tr ':' '\n')
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Waits up to $2 seconds for a line matching $3 in log $1 and prints the first capture of regex $4.
wait_for_log() {
  local log="$1" seconds="$2" pattern="$3" i
  for ((i = 0; i < seconds * 4; i++)); do
    if grep -qE "$pattern" "$log" 2>/dev/null; then grep -oE "$pattern" "$log" | head -n 1; return 0; fi
    sleep 0.25
  done
  echo "timed out waiting for '$pattern' in $log" >&2
  tail -n 20 "$log" >&2 || true
  return 1
}

http_get() {
  local port="$1" path="$2"
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
  cat <&3
  exec 3<&-
}

alive_workers() {
  http_get "$(cat "$DIR/master-ui-port")" /json/ 2>/dev/null | grep -o '"aliveworkers" *: *[0-9]*' | grep -o '[0-9]*$' || echo 0
}

start() {
  if alive "$DIR/master.pid"; then
    echo "already running: $(cat "$DIR/master-url")"
    return 0
  fi
  make_home
  local cp="$SPARK_HOME/jars/*"
  setsid java "${SPARK_JAVA_OPENS[@]}" "${DAEMON_OPTS[@]}" -cp "$cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port 0 --webui-port 0 >"$DIR/logs/master.log" 2>&1 < /dev/null &
  echo $! >"$DIR/master.pid"
  local url ui
  url=$(wait_for_log "$DIR/logs/master.log" 60 'spark://127\.0\.0\.1:[0-9]+')
  ui=$(wait_for_log "$DIR/logs/master.log" 60 'MasterWebUI.*started at http://[^:]+:[0-9]+' | grep -oE '[0-9]+$')
  echo "$url" >"$DIR/master-url"
  echo "$ui" >"$DIR/master-ui-port"
  local w
  for ((w = 1; w <= WORKERS; w++)); do
    mkdir -p "$DIR/worker$w"
    setsid java "${SPARK_JAVA_OPENS[@]}" "${DAEMON_OPTS[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker "$url" \
      --host 127.0.0.1 --port 0 --webui-port 0 --cores "$CORES" --memory "$MEMORY" --work-dir "$DIR/worker$w" \
      >"$DIR/logs/worker$w.log" 2>&1 < /dev/null &
    echo $! >"$DIR/worker$w.pid"
  done
  local i
  for ((i = 0; i < 240; i++)); do
    if [[ "$(alive_workers)" -ge "$WORKERS" ]]; then
      echo "$url"
      return 0
    fi
    sleep 0.25
  done
  echo "workers did not register with $url within 60 s; see $DIR/logs" >&2
  stop >&2
  return 1
}

# Stops each daemon's whole process group (a worker's executors too): TERM, then KILL after 10 s.
stop() {
  local pidfile pid
  for pidfile in "$DIR"/worker*.pid "$DIR/master.pid"; do
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  local i
  for ((i = 0; i < 40; i++)); do
    local any=0
    for pidfile in "$DIR"/worker*.pid "$DIR/master.pid"; do
      alive "$pidfile" && any=1
    done
    [[ $any == 0 ]] && break
    sleep 0.25
  done
  for pidfile in "$DIR"/worker*.pid "$DIR/master.pid"; do
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  rm -rf "$SPARK_HOME"
  echo "stopped"
}

status() {
  if ! alive "$DIR/master.pid"; then
    echo "not running"
    return 1
  fi
  echo "master $(cat "$DIR/master-url") (pid $(cat "$DIR/master.pid")), alive workers: $(alive_workers)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
