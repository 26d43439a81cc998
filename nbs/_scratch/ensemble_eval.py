"""Diagnostic (stop 20): does averaging several students' maps close the gap to the teacher? Reads the three candidates
of a student-base-best3 grid point, scores each alone and the mean of their maps (2 and 3 members), and times one
student against the 3-member ensemble on the same frames. Usage: python ensemble_eval.py [SEED ...]"""
import sys, json, os, time, itertools
from pathlib import Path
import numpy as np, torch
from fast_aed.data import load_dataset
from fast_aed.distill import load_student, predict_maps
from fast_aed.evaluate import evaluate_student_maps, heads_from_maps
from fast_aed.pipeline import run_detection, kind_report
from fast_aed.metrics import EvalConventions
from fast_aed.bench import time_fn, fps_of
from fast_aed.reproduce import _student_work, STUDENT_DEFAULTS, TINY_OVERRIDES

CACHE = Path(os.environ.get('FAST_AED_CACHE', '/work/main/papermill_runs/_cache'))
PRESET = os.environ.get('PRESET', 'standard')
OUT = Path(os.environ.get('ENSEMBLE_OUT', '/tmp/exp/ensemble_eval.jsonl'))


def mean_maps(members: list) -> dict:
    "Element-wise mean of several students' `{video: {scale: array}}` maps."
    return {v: {s: np.mean([m[v][s] for m in members], axis=0) for s in members[0][v]} for v in members[0]}


def score(ds, maps, dets, conventions) -> dict:
    "MIX micro / macro AUC and MIX per-kind AUC of one set of maps."
    res = evaluate_student_maps(ds, maps, dets, conventions)
    kinds = kind_report(ds, {v: h['MIX'] for v, h in heads_from_maps(maps).items()}, conventions) or {}
    return {'micro_mix': res['heads']['MIX']['micro_auc'], 'macro_mix': res['heads']['MIX']['macro_auc'],
            'rbdc': res['rbdc'], 'tbdc': res['tbdc'], 'kinds': {k: round(v, 2) for k, v in kinds.items()}}


def forward_fps(models: list, x: torch.Tensor) -> float:
    "Frames per second of running every model of `models` on batch `x` (`fast_aed.bench.time_fn`: median after warm-up)."
    def run_all():
        for m in models: m(x)
    with torch.inference_mode(): return fps_of(time_fn(run_all, iters=20, warmup=3), items=len(x))


conventions = EvalConventions()
for seed in [int(s) for s in sys.argv[1:]] or [0, 1, 2]:
    ds = load_dataset(CACHE / f'synthetic-{PRESET}-seed{seed}')
    shared = CACHE / 'work' / f'synthetic-{PRESET}' / f'seed{seed}' / 'motion'
    tiny = TINY_OVERRIDES['student'] if PRESET == 'tiny' else {}
    best = _student_work(shared, {**STUDENT_DEFAULTS, **tiny, 'best_of': 3, 'seed': seed}) / 'student'
    record = torch.load(best / 'student.pt', map_location='cpu', weights_only=True)['best_of']
    dets = run_detection(ds, shared, 'motion', None, splits=('test',))
    models, maps = [], []
    for c in record['candidates']:
        model, cfg = load_student(best / c['checkpoint'])
        models.append(model.eval()); maps.append(predict_maps(model, cfg, ds, split='test', quiet=True))
    rows = []
    for k in range(1, len(maps) + 1):
        for members in itertools.combinations(range(len(maps)), k):
            r = {'seed': seed, 'members': [record['candidates'][i]['seed'] for i in members],
                 'val_kd': [round(record['candidates'][i]['val_kd'], 4) for i in members],
                 **score(ds, mean_maps([maps[i] for i in members]), dets, conventions)}
            rows.append(r); print(json.dumps(r), flush=True)
    torch.set_num_threads(int(os.environ.get('TIMING_THREADS', '2')))
    x = torch.rand(32, 9, *cfg.input_size[::-1]).contiguous(memory_format=torch.channels_last)
    one, three = forward_fps(models[:1], x), forward_fps(models, x)
    rows.append({'seed': seed, 'timing': {'batch': 32, 'threads': torch.get_num_threads(), 'fps_one': one,
                                          'fps_three': three, 'ratio': one / three}})
    print(json.dumps(rows[-1]), flush=True)
    with open(OUT, 'a') as f:
        for r in rows: f.write(json.dumps(r) + '\n')
