"""Offline: how well do simple motion statistics of teacher A's flow crops separate the anomaly kinds?"""
import sys, numpy as np
from pathlib import Path
from fast_aed import pipeline
from fast_aed.reproduce import resolve_data
from fast_aed.data import load_dataset, read_labels, read_video
from fast_aed.metrics import EvalConventions, gaussian_smooth
from fast_aed.detect import perspective_sides
from fast_aed.teacher_a import TeacherA, object_crops
from sklearn.metrics import roc_auc_score
conv = EvalConventions(); seed = int(sys.argv[1])
ds = load_dataset(resolve_data('synthetic', seed=seed)); work = Path(f'/tmp/expA/seed{seed}/base')
dets = pipeline.run_detection(ds, work, 'motion', None, splits=('test',))
t = TeacherA.load(work / 'teachers' / 'A' / 'model.pt'); feats = {}
import os, json
for k_, v_ in json.loads(os.environ.get('CFG', '{}')).items(): setattr(t.config, k_, v_)
print(t.config)
for rec in ds.test:
    d = dets[('test', rec.name)]; frames = read_video(rec, gray=True)
    sides = perspective_sides(d.boxes, t.perspective)
    c = object_crops(frames, d.frame, d.boxes, t.config, sides=sides)
    S = c['prev'].shape[-1]; inner = slice(S // 4, 3 * S // 4)
    mag = lambda m: np.sqrt((m ** 2).sum(1))
    mp, mn = mag(c['prev']), mag(c['next'])
    feats[rec.name] = {'frame': d.frame,
        'mean|prev|': mp.mean((1, 2)), 'mean|next|': mn.mean((1, 2)),
        'p95|prev,next|': np.maximum(np.percentile(mp.reshape(len(mp), -1), 95, 1), np.percentile(mn.reshape(len(mn), -1), 95, 1)),
        'centre |flow|': (mp[:, inner, inner].mean((1, 2)) + mn[:, inner, inner].mean((1, 2))) / 2,
        'prev-next diff': np.abs(c['prev'] - c['next']).mean((1, 2, 3)),
        'mean flow vec |prev-next|': np.sqrt(((c['prev'][:, :, inner, inner].mean((2, 3)) - c['next'][:, :, inner, inner].mean((2, 3))) ** 2).sum(1)),
    }
L = np.concatenate([read_labels(r) for r in ds.test])
for k in ['mean|prev|', 'centre |flow|', 'p95|prev,next|', 'mean flow vec |prev-next|']:
    sc = {}
    for rec in ds.test:
        v = feats[rec.name][k].astype(np.float64); v = (v - v.min()) / (v.max() - v.min() + 1e-12)
        sc[rec.name] = pipeline.object_frame_scores({'frame': feats[rec.name]['frame'], 'score': v}, rec.frames)
    kk = pipeline.kind_report(ds, sc, conv)
    a = roc_auc_score(L, np.concatenate([gaussian_smooth(sc[r.name], 21) for r in ds.test]))
    print(f'seed{seed} {k:26s} {a:.3f}', {x: round(y, 2) for x, y in kk.items()}, flush=True)

