#!/usr/bin/env bash
# simulate job: see README.md. Usage: jobs/simulate.sh [options] [-- spark-submit options]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_job simulate "$@"
