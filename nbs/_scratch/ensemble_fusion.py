"Scratch (stop 13): how the two teachers' object scores are fused, read from the teacher caches of the reproduce run."
import sys, numpy as np
from pathlib import Path
from fast_aed.data import load_dataset
from fast_aed.pipeline import teacher_object_scores, load_object_scores, object_frame_scores
from fast_aed.evaluate import frame_level_report, _test_labels
from fast_aed.metrics import EvalConventions
cache = Path('papermill_runs/_cache')
c = EvalConventions()
def micro(ds, scores):
    fs = {r.name: object_frame_scores(scores[r.name], r.frames) for r in ds.test}
    return frame_level_report(fs, _test_labels(ds), c)['micro_auc']
res = {}
for seed in range(3):
    ds = load_dataset(cache / f'synthetic-standard-seed{seed}')
    work = cache / 'work' / 'synthetic-standard' / f'seed{seed}' / 'motion'
    s = teacher_object_scores(ds, work, ['A', 'B'], 'test', 'video_minmax')
    raw = {t: {r.name: load_object_scores(work, t, 'test', r.name) for r in ds.test} for t in 'AB'}
    # training-video statistics of each teacher (non-transductive z-score)
    tr = {t: np.concatenate([load_object_scores(work, t, 'train', r.name)['score'] for r in ds.train]) for t in 'AB'}
    out = {}
    for w in (0.5, 0.6, 0.7, 0.8):
        out[f'minmax w_B={w}'] = micro(ds, {v: {**s['A'][v], 'score': (1 - w) * s['A'][v]['score'] + w * s['B'][v]['score']} for v in s['A']})
    out['minmax max'] = micro(ds, {v: {**s['A'][v], 'score': np.maximum(s['A'][v]['score'], s['B'][v]['score'])} for v in s['A']})
    z = {t: {v: (raw[t][v]['score'] - np.median(tr[t])) / (np.percentile(tr[t], 99) - np.median(tr[t]) + 1e-9) for v in raw[t]} for t in 'AB'}
    out['train-z mean'] = micro(ds, {v: {**raw['A'][v], 'score': 0.5 * z['A'][v] + 0.5 * z['B'][v]} for v in raw['A']})
    out['A alone'], out['B alone'] = micro(ds, s['A']), micro(ds, s['B'])
    res[seed] = out
    print(seed, {k: round(100 * v, 1) for k, v in out.items()}, flush=True)
keys = res[0].keys()
print('mean', {k: round(100 * np.mean([res[s][k] for s in res]), 1) for k in keys})
