#!/usr/bin/env bash
# The README's main command: set up the environment, then run the whole pipeline on the built-in synthetic benchmark.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec fast-aed demo "$@"
