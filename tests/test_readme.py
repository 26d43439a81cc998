"The README's and the docs' results tables are copied from the committed reports, never retyped."
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_copied_results_match_the_reports():
    proc = subprocess.run([sys.executable, str(ROOT / 'scripts' / 'copy_results.py'), '--check'],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr + ' (run: python scripts/copy_results.py)'
