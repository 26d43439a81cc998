"""Offline: frame micro AUC of alternative combinations of teacher A's per-stream outputs (saved by exp_teacher_a2.py --diag)."""
import sys, numpy as np
from fast_aed import pipeline
from fast_aed.reproduce import resolve_data
from fast_aed.data import load_dataset, read_labels
from fast_aed.metrics import EvalConventions, gaussian_smooth
from sklearn.metrics import roc_auc_score
conv = EvalConventions()
def logit(p): p = np.clip(p, 1e-6, 1 - 1e-6); return np.log(p / (1 - p))
def z(v, ref): return (v - ref.mean()) / (ref.std() + 1e-9)
combos = {
 'mean p': lambda c: (c['p_app'] + c['p_prev'] + c['p_next']) / 3,
 'mean logit': lambda c: (logit(c['p_app']) + logit(c['p_prev']) + logit(c['p_next'])) / 3,
 'max p': lambda c: np.max([c['p_app'], c['p_prev'], c['p_next']], 0),
 'mean p motion': lambda c: (c['p_prev'] + c['p_next']) / 2,
 'max p motion': lambda c: np.maximum(c['p_prev'], c['p_next']),
 'min p motion': lambda c: np.minimum(c['p_prev'], c['p_next']),
 'mean logit motion': lambda c: (logit(c['p_prev']) + logit(c['p_next'])) / 2,
 'mean p + mean e': lambda c: (c['p_app'] + c['p_prev'] + c['p_next']) / 3 + (c['e_prev'] + c['e_next']) / (2 * np.median(c['e_prev'])) * 0.1,
}
for seed in map(int, sys.argv[1:]):
    ds = load_dataset(resolve_data('synthetic', seed=seed))
    comp = np.load(f'/tmp/expA/diag_seed{seed}_base.npy', allow_pickle=True).item()
    L = np.concatenate([read_labels(r) for r in ds.test])
    for name, fn in combos.items():
        sc = {}
        for rec in ds.test:
            c = comp[rec.name]; v = fn(c).astype(np.float64); v = (v - v.min()) / (v.max() - v.min() + 1e-12)
            sc[rec.name] = pipeline.object_frame_scores({'frame': c['frame'], 'score': v}, rec.frames)
        kk = pipeline.kind_report(ds, sc, conv)
        a = roc_auc_score(L, np.concatenate([gaussian_smooth(sc[r.name], 21) for r in ds.test]))
        print(f'seed{seed} {name:18s} {a:.3f}', {x: round(y, 2) for x, y in kk.items()}, flush=True)
