# Replay `best_of_screen` on finished best_of runs: which candidate a screen after E distillation epochs picks,
# against the full best_of pick (lowest validation KD loss over all epochs), from each candidate's log.csv.
# Usage: python nbs/_scratch/screen_replay.py papermill_runs/_cache/work/*/seed*/motion/students/*/student/best_of
import csv, sys
from pathlib import Path

def kd_val(log: Path) -> list:
    return [float(r['val_loss']) for r in csv.DictReader(open(log)) if r['phase'] == 'kd']

for d in map(Path, sys.argv[1:]):
    runs = {p.parent.name: kd_val(p) for p in sorted(d.glob('seed*/log.csv'))}
    runs = {k: v for k, v in runs.items() if len(v) == 16}   # finished candidates only
    if len(runs) < 2: continue
    names = sorted(runs, key=lambda s: int(s[4:]))
    full = min(names, key=lambda n: min(runs[n]))
    picks = {E: min(names, key=lambda n: min(runs[n][:E])) for E in (1, 2, 3, 4, 5, 6, 8, 10, 12)}
    print(d.parts[-7], d.parts[-6], names, 'full pick', full, 'screen picks', picks,
          'same from E =', min([E for E in picks if all(picks[F] == full for F in picks if F >= E)], default=None))
