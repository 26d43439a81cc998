#!/usr/bin/env bash
# The README's test command: set up the environment, lint (ruff), run the notebook tests (nbdev_test, slow cells skipped)
# and the integration tests (pytest). Exits non-zero if either fails.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export FAST_AED_QUIET=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
start=$(date +%s)
lint_rc=0; ruff check fast_aed tests || lint_rc=$?   # ruff.toml; tests/test_architecture.py checks it again
nb_rc=0; nbdev_test --n_workers 2 --timing || nb_rc=$?
echo "nbdev_test: exit $nb_rc after $(( $(date +%s) - start )) s"
py_rc=0; python -m pytest tests -q -p no:cacheprovider --durations=10 "$@" || py_rc=$?
echo "total test time: $(( $(date +%s) - start )) s"
[ $lint_rc -eq 0 ] && [ $nb_rc -eq 0 ] && [ $py_rc -eq 0 ]
