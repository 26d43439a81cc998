#!/usr/bin/env bash
# The README's test command: set up the environment, run the notebook tests (nbdev_test, slow cells skipped)
# and the integration tests (pytest). Exits non-zero if either fails.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export FAST_AED_QUIET=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
start=$(date +%s)
nb_rc=0; nbdev_test --n_workers 2 --timing || nb_rc=$?
echo "nbdev_test: exit $nb_rc after $(( $(date +%s) - start )) s"
py_rc=0; python -m pytest tests -q -p no:cacheprovider --durations=10 "$@" || py_rc=$?
echo "total test time: $(( $(date +%s) - start )) s"
[ $nb_rc -eq 0 ] && [ $py_rc -eq 0 ]
