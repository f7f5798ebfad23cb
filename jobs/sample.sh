#!/usr/bin/env bash
# sample job: see README.md ("Posterior samples"). Usage: jobs/sample.sh [options] [-- spark-submit options]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_job sample "$@"
