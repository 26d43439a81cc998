#!/usr/bin/env python
"""Copy the headline results into README.md, between its `results` markers, from the committed reports.

The README never retypes a number: `python scripts/readme_results.py` rewrites the block from
`papermill_runs/reports/synthetic/{main,speed}/table.csv` (`fast_aed.tables.readme_results`);
`tests/test_readme.py` fails when the block and the reports disagree. `--check` only compares (exit 1 on a difference).
"""
import sys
from pathlib import Path

from fast_aed.tables import readme_results

ROOT = Path(__file__).resolve().parents[1]
START = '<!-- results: copied from the reports by scripts/readme_results.py; do not edit by hand -->'
END = '<!-- /results -->'


def spliced(readme: str, block: str) -> str:
    "The README with the text between the markers replaced by `block`."
    head, sep, rest = readme.partition(START)
    if not sep or END not in rest:
        raise SystemExit(f'README.md: the markers {START!r} and {END!r} are missing')
    return head + START + '\n' + block + rest[rest.index(END):]


def main(argv: list) -> int:
    path = ROOT / 'README.md'
    readme = path.read_text()
    new = spliced(readme, readme_results(ROOT / 'papermill_runs' / 'reports' / 'synthetic'))
    if '--check' in argv:
        current = new == readme
        print(f"README.md: the results block {'is current' if current else 'differs from the reports'}")
        return 0 if current else 1
    path.write_text(new)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
