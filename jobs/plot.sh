#!/usr/bin/env bash
# plot job: see README.md. Usage: jobs/plot.sh [options]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_job plot "$@"
