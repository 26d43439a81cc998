"""Diagnostic: frame-level micro AUC of teacher A's per-stream classifier probabilities and reconstruction errors."""
import sys, json, numpy as np, itertools
from pathlib import Path
from fast_aed import pipeline
from fast_aed.data import load_dataset, read_video, read_labels
from fast_aed.detect import perspective_sides, fit_perspective
from fast_aed.teacher_a import TeacherA, object_crops, STREAMS
from fast_aed.metrics import EvalConventions, gaussian_smooth, micro_auc
from fast_aed.evaluate import per_kind_auc
seed = int(sys.argv[1]); work = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f'/work/main/papermill_runs/_cache/work/synthetic-standard/seed{seed}/motion')
ds = load_dataset(f'/work/main/papermill_runs/_cache/synthetic-standard-seed{seed}')
dets = pipeline.run_detection(ds, work, 'motion', None, splits=('test',))
t = TeacherA.load(work / 'teachers' / 'A' / 'model.pt')
comp = {}
for rec in ds.test:
    d = dets[('test', rec.name)]
    frames = read_video(rec, gray=True)
    sides = perspective_sides(d.boxes, t.perspective) if t.config.crop_scale == 'perspective' else None
    crops = object_crops(frames, d.frame, d.boxes, t.config, sides=sides)
    s, det = t.score_crops(crops, details=True)
    comp[rec.name] = {'frame': d.frame, 'mean': s, **{f'p_{k}': v for k, v in det['prob'].items()}, **{f'e_{k}': v for k, v in det['err'].items()}}
np.save('/tmp/diagA.npy', comp, allow_pickle=True)
conv = EvalConventions()
def frame_auc(key_fn):
    scores, labels = {}, {}
    for rec in ds.test:
        c = comp[rec.name]; v = key_fn(c)
        lo, hi = v.min(), v.max(); v = (v - lo) / (hi - lo + 1e-12)
        fs = pipeline.object_frame_scores({'frame': c['frame'], 'score': v}, rec.frames)
        scores[rec.name] = fs
    kinds = pipeline.kind_report(ds, scores, conv)
    allS = np.concatenate([gaussian_smooth(scores[r.name], 21) for r in ds.test]); allL = np.concatenate([read_labels(r) for r in ds.test])
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(allL, allS), kinds
keys = ['mean'] + [f'p_{s}' for s in STREAMS] + [f'e_{s}' for s in STREAMS]
for k in keys:
    a, kinds = frame_auc(lambda c: c[k]); print(f'{k:10s} {a:.3f}', {kk: round(vv, 2) for kk, vv in kinds.items()})
for a_, b_ in itertools.combinations(STREAMS, 2):
    a, kinds = frame_auc(lambda c: (c[f'p_{a_}'] + c[f'p_{b_}']) / 2); print(f'p {a_}+{b_} {a:.3f}', {kk: round(vv, 2) for kk, vv in kinds.items()})
a, kinds = frame_auc(lambda c: np.max([c[f'p_{s}'] for s in STREAMS], 0)); print(f'max p     {a:.3f}', {kk: round(vv, 2) for kk, vv in kinds.items()})
