"""Diagnostic (model-free): how much each anomaly kind's box changes between frame t and t + k, k = 1..6, on the test
videos of the standard benchmark (seeds 0-2, the reproduce cache). Mean absolute grey-level difference inside the
annotated box; a kind whose motion is fast against walking stands out more at small k. Usage: python diag_offsets.py"""
import json, os
from pathlib import Path
import cv2, numpy as np, pandas as pd

CACHE = Path(os.environ.get('FAST_AED_CACHE', '/work/main/papermill_runs/_cache'))


def box_differences(video: Path, ks=range(1, 7)) -> dict:
    "Per kind, the list of [mean |frame(t + k) - frame(t)| in the box for k in `ks`] over the annotated boxes of `video`."
    events, tracks = json.load(open(video / 'events.json')), pd.read_csv(video / 'tracks.csv')
    frames = sorted((video / 'frames').iterdir()); cache, out = {}, {}
    def grey(i):
        if i not in cache: cache[i] = cv2.imread(str(frames[i]), cv2.IMREAD_GRAYSCALE).astype(np.float32)
        return cache[i]
    for e in events:
        for r in tracks[tracks.track_id == e['track_id']].itertuples():
            t, (x1, y1, x2, y2) = int(r.frame), (int(r.x1), int(r.y1), int(r.x2), int(r.y2))
            if t + max(ks) >= len(frames) or y2 - y1 < 4 or x2 - x1 < 4: continue
            out.setdefault(e['kind'], []).append([np.abs(grey(t + k)[y1:y2, x1:x2] - grey(t)[y1:y2, x1:x2]).mean() for k in ks])
    return out


if __name__ == '__main__':
    per_kind = {}
    for seed in (0, 1, 2):
        for v in sorted((CACHE / f'synthetic-standard-seed{seed}' / 'test').iterdir()):
            for kind, rows in box_differences(v).items(): per_kind.setdefault(kind, []).extend(rows)
    for kind, rows in sorted(per_kind.items()):
        a = np.array(rows); print(f'{kind:12s} n={len(a):4d}', ' '.join(f'{x:5.1f}' for x in a.mean(0)))
