#!/usr/bin/env python
"""Copy the results tables into README.md and the docs, between their markers, from the committed reports.

No page retypes a number: `python scripts/copy_results.py` rewrites each block from
`papermill_runs/reports/synthetic/<table>/` (`fast_aed.tables.readme_results`, `fast_aed.tables.docs_tables`);
`tests/test_readme.py` fails when a block and the reports disagree. `--check` only compares (exit 1 on a difference).
"""
import sys
from pathlib import Path

from fast_aed.tables import docs_tables, readme_results

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / 'papermill_runs' / 'reports' / 'synthetic'
# page -> (block name, how its text is made)
BLOCKS = {'README.md': ('results', lambda: readme_results(REPORTS)),
          'docs/accuracy.md': ('tables', lambda: docs_tables(REPORTS, ['main', 'conventions', 'ablations'])),
          'docs/speed.md': ('tables', lambda: docs_tables(REPORTS, ['speed']))}


def markers(name: str) -> tuple:
    "The lines that open and close a copied block."
    start = f'<!-- {name}: copied from the reports by scripts/copy_results.py; do not edit by hand -->'
    return start, f'<!-- /{name} -->'


def spliced(page: str, text: str, name: str, block: str) -> str:
    "The page with the text between the block's markers replaced by `block`."
    start, end = markers(name)
    head, sep, rest = text.partition(start)
    if not sep or end not in rest:
        raise SystemExit(f'{page}: the markers {start!r} and {end!r} are missing')
    return head + start + '\n' + block.rstrip('\n') + '\n' + rest[rest.index(end):]


def main(argv: list) -> int:
    stale = []
    for page, (name, make) in BLOCKS.items():
        path = ROOT / page
        text = path.read_text()
        new = spliced(page, text, name, make())
        if new != text:
            stale.append(page)
            if '--check' not in argv:
                path.write_text(new)
    verb = 'differ from the reports' if '--check' in argv else 'rewritten'
    print(f"{', '.join(stale)}: {verb}" if stale else 'every copied block is current')
    return 1 if stale and '--check' in argv else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
