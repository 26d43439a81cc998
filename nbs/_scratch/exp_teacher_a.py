"""Experiment: teacher A with other training settings on one seed; prints micro/macro AUC and per-kind AUC."""
import sys, json, time, shutil
from pathlib import Path
from fast_aed import pipeline
from fast_aed.data import load_dataset
from fast_aed.evaluate import evaluate_object_scores
from fast_aed.metrics import EvalConventions
seed, exp, over = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
src = Path(f'/work/main/papermill_runs/_cache/work/synthetic-standard/seed{seed}/motion')
ds = load_dataset(f'/work/main/papermill_runs/_cache/synthetic-standard-seed{seed}')
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
print('RESULT', json.dumps(out))
with open('/tmp/expA/results.jsonl', 'a') as f: f.write(json.dumps(out) + '\n')
