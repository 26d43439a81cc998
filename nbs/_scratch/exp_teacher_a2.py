"""Experiment: teacher A with given settings on one seed (renders/detects into the reproduce cache if missing); prints AUCs, per-kind and per-stream AUCs."""
import sys, json, time, shutil, numpy as np
from pathlib import Path
from fast_aed import pipeline
from fast_aed.reproduce import resolve_data
from fast_aed.data import load_dataset, read_video, read_labels
from fast_aed.evaluate import evaluate_object_scores
from fast_aed.metrics import EvalConventions, gaussian_smooth
from fast_aed.detect import perspective_sides
from fast_aed.teacher_a import TeacherA, object_crops, STREAMS
from sklearn.metrics import roc_auc_score
seed, exp, over = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
ds = load_dataset(resolve_data('synthetic', seed=seed))
src = Path(f'/work/main/papermill_runs/_cache/work/synthetic-standard/seed{seed}/motion')
src.mkdir(parents=True, exist_ok=True)
t0 = time.time(); pipeline.run_detection(ds, src, 'motion', None); print('detect', time.time() - t0, flush=True)
work = Path(f'/tmp/expA/seed{seed}/{exp}')
if not work.exists(): work.mkdir(parents=True); shutil.copytree(src / 'detections', work / 'detections')
dets = pipeline.run_detection(ds, work, 'motion', None)
t0 = time.time(); pipeline.fit_teacher(ds, work, 'A', dets, pipeline.make_teacher_config('A', over), seed=seed); fit = time.time() - t0
t0 = time.time(); pipeline.score_teacher(ds, work, 'A', dets, splits=('test',)); sc = time.time() - t0
conv = EvalConventions()
scores = pipeline.teacher_object_scores(ds, work, ['A'], 'test')['A']
r = evaluate_object_scores(ds, scores, conv)
kinds = pipeline.kind_report(ds, {v.name: pipeline.object_frame_scores(scores[v.name], v.frames) for v in ds.test}, conv)
out = {'seed': seed, 'exp': exp, 'over': over, 'micro': r['micro_auc'], 'macro': r['macro_auc'], 'rbdc': r['rbdc'], 'tbdc': r['tbdc'],
       'kinds': {k: round(v, 3) for k, v in kinds.items()}, 'fit_s': fit, 'score_s': sc}
print('RESULT', json.dumps(out), flush=True)
with open('/tmp/expA/results.jsonl', 'a') as f: f.write(json.dumps(out) + '\n')
if '--diag' in sys.argv:
    t = TeacherA.load(work / 'teachers' / 'A' / 'model.pt'); comp = {}
    for rec in ds.test:
        d = dets[('test', rec.name)]; frames = read_video(rec, gray=True)
        sides = perspective_sides(d.boxes, t.perspective) if t.config.crop_scale == 'perspective' else None
        s, det = t.score_crops(object_crops(frames, d.frame, d.boxes, t.config, sides=sides), details=True)
        comp[rec.name] = {'frame': d.frame, 'mean': s, **{f'p_{k}': v for k, v in det['prob'].items()}, **{f'e_{k}': v for k, v in det['err'].items()}}
    np.save(f'/tmp/expA/diag_seed{seed}_{exp}.npy', comp, allow_pickle=True)
    for k in ['mean'] + [f'p_{s}' for s in STREAMS] + [f'e_{s}' for s in STREAMS]:
        sc_ = {}
        for rec in ds.test:
            c = comp[rec.name]; v = c[k]; v = (v - v.min()) / (v.max() - v.min() + 1e-12)
            sc_[rec.name] = pipeline.object_frame_scores({'frame': c['frame'], 'score': v}, rec.frames)
        kk = pipeline.kind_report(ds, sc_, conv)
        a = roc_auc_score(np.concatenate([read_labels(r_) for r_ in ds.test]), np.concatenate([gaussian_smooth(sc_[r_.name], 21) for r_ in ds.test]))
        print(f'DIAG {k:8s} {a:.3f}', {x: round(y, 2) for x, y in kk.items()}, flush=True)
