"Scratch (stop 13): a scene-specific location term (where objects stand in the training videos) next to the teachers."
import numpy as np, cv2
from pathlib import Path
from fast_aed.data import load_dataset
from fast_aed.pipeline import teacher_object_scores, load_object_scores, object_frame_scores, normalise_scores, kind_report
from fast_aed.evaluate import frame_level_report, _test_labels
from fast_aed.metrics import EvalConventions
cache, c, G = Path('papermill_runs/_cache'), EvalConventions(), 48
def micro(ds, scores):
    fs = {r.name: object_frame_scores(scores[r.name], r.frames) for r in ds.test}
    return frame_level_report(fs, _test_labels(ds), c)['micro_auc'], kind_report(ds, fs, c)
def feet(boxes, W, H):   # bottom centre, in grid cells
    b = np.asarray(boxes, float).reshape(-1, 4)
    return np.clip(((b[:, 0] + b[:, 2]) / 2 / W * G).astype(int), 0, G - 1), np.clip((b[:, 3] / H * G).astype(int), 0, G - 1)
res = []
for seed in range(3):
    ds = load_dataset(cache / f'synthetic-standard-seed{seed}')
    work = cache / 'work' / 'synthetic-standard' / f'seed{seed}' / 'motion'
    s = teacher_object_scores(ds, work, ['A', 'B'], 'test', 'video_minmax')
    dens = {}
    for r in ds.train:
        sc = r.name.split('_')[0]; d = load_object_scores(work, 'B', 'train', r.name)
        x, y = feet(d['boxes'], r.width, r.height)
        h = dens.setdefault(sc, np.zeros((G, G))); np.add.at(h, (y, x), 1)
    for sc, h in dens.items(): dens[sc] = cv2.GaussianBlur(h / h.sum(), (0, 0), 1.0)
    loc = {}
    for r in ds.test:
        d = s['B'][r.name]; x, y = feet(d['boxes'], r.width, r.height)
        raw = -np.log(dens[r.name.split('_')[0]][y, x] + 1e-5)
        loc[r.name] = {**d, 'score': normalise_scores(raw, 'video_minmax')}
    out = {'L alone': micro(ds, loc)}
    for name, f in {'A+B': lambda v: (s['A'][v]['score'] + s['B'][v]['score']) / 2,
                    'A+B+L': lambda v: (s['A'][v]['score'] + s['B'][v]['score'] + loc[v]['score']) / 3,
                    'B+L': lambda v: (s['B'][v]['score'] + loc[v]['score']) / 2,
                    'A+L': lambda v: (s['A'][v]['score'] + loc[v]['score']) / 2,
                    'A+B+0.5L': lambda v: (s['A'][v]['score'] + s['B'][v]['score'] + 0.5 * loc[v]['score']) / 2.5}.items():
        out[name] = micro(ds, {v: {**s['B'][v], 'score': f(v)} for v in s['B']})
    res.append(out)
    print(seed, {k: round(100 * v[0], 1) for k, v in out.items()}, flush=True)
    print('   off_walkway', {k: round(100 * v[1].get('off_walkway', np.nan), 1) for k, v in out.items()})
print('mean', {k: round(100 * np.mean([r[k][0] for r in res]), 1) for k in res[0]})
