#!/usr/bin/env bash
# smooth job: see README.md. Usage: jobs/smooth.sh [options] [-- spark-submit options]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_job smooth "$@"
