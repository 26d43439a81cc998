"""Diagnostic: the test score of every candidate of the main table's student-base-best3 grid points, next to its
validation KD loss (the only thing the selection saw). Usage: python best_of_candidates.py [SEED ...]"""
import sys, json, os
from pathlib import Path
from fast_aed import pipeline
from fast_aed.data import load_dataset
from fast_aed.reproduce import _student_work, STUDENT_DEFAULTS
import torch

CACHE = Path(os.environ.get('FAST_AED_CACHE', '/work/main/papermill_runs/_cache'))
rows = []
for seed in [int(s) for s in sys.argv[1:]] or [0, 1, 2]:
    ds = load_dataset(CACHE / f'synthetic-standard-seed{seed}')
    shared = CACHE / 'work' / 'synthetic-standard' / f'seed{seed}' / 'motion'
    best = _student_work(shared, {**STUDENT_DEFAULTS, 'best_of': 3, 'seed': seed}) / 'student'
    record = torch.load(best / 'student.pt', map_location='cpu', weights_only=True)['best_of']
    for k, c in enumerate(record['candidates']):
        work = Path(f'/tmp/exp/best_of_eval/seed{seed}/cand{k}'); work.mkdir(parents=True, exist_ok=True)
        if not (work / 'detections').exists(): os.symlink(shared / 'detections', work / 'detections')
        res = pipeline.evaluate_student_run(ds, work, checkpoint=best / c['checkpoint'], plots=False)
        mix = res['heads']['MIX']
        rows.append({'seed': seed, 'candidate': k, 'student_seed': c['seed'], 'val_kd': c['val_kd'], 'chosen': k == record['chosen'],
                     'micro_mix': mix['micro_auc'], 'macro': res['macro_auc'], 'kinds': {n: round(v, 2) for n, v in mix.get('per_kind', {}).items()}})
        print(json.dumps(rows[-1]), flush=True)
with open(os.environ.get('BEST_OF_OUT', '/tmp/exp/best_of_candidates.jsonl'), 'a') as f:
    for r in rows: f.write(json.dumps(r) + '\n')
