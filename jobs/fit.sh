#!/usr/bin/env bash
# fit job: see README.md. Usage: jobs/fit.sh [options] [-- spark-submit options]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_job fit "$@"
