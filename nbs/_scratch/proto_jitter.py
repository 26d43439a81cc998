"""Prototype: distil on temporally perturbed copies of the training videos, besides sped-up copies.
MODE jitter (default): frame t shows t+u, |u| <= J; MODE sway: the video nearly stops and plays back and forth
(idx = t//4 + round(J sin(0.9 t))). Usage: python proto_jitter.py SEED EXP "J,..." '{overrides}' [jitter|sway]"""
import sys, json, time, dataclasses, numpy as np
from pathlib import Path
from fast_aed import pipeline
from fast_aed.data import load_dataset, DatasetWriter
from proto_common import setup, distil_and_report, teachers_of

seed = int(sys.argv[1]); exp = sys.argv[2]; J = [int(j) for j in sys.argv[3].split(',') if j]; extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
mode = sys.argv[5] if len(sys.argv) > 5 else 'jitter'; tag = 'j' if mode == 'jitter' else 's'
ds, work = setup(seed, mode, exp)
t0 = time.time()
dds = pipeline.distillation_dataset(ds, work, teachers_of(extra), ('motion', None), (2, 3), log=print)
if J:
    out = work / 'jitter' / 'data'
    if not (out / 'dataset.json').exists():
        rng = np.random.default_rng(seed)
        with DatasetWriter(out, overwrite=True) as w:
            for j in J:
                for r in ds.train:
                    t = np.arange(r.frames)
                    if mode == 'jitter': idx = np.clip(t + rng.integers(-j, j + 1, r.frames), 0, r.frames - 1)
                    else: idx = np.clip(t // 4 + np.round(j * np.sin(0.9 * t + rng.uniform(0, 6.3))).astype(int), 0, r.frames - 1)
                    w.add_video('train', f'{r.name}_{tag}{j}', [r.frame_path(int(i)) for i in idx])
            w.finish(f'{ds.name}-jitter', fps=ds.fps, channels=ds.channels, source={'kind': mode})
    jds = load_dataset(out)
    jdets = pipeline.run_detection(jds, work, 'motion', None, splits=('train',))
    pipeline.score_teacher(jds, work, 'B', jdets, splits=('train',))
    dds = dataclasses.replace(dds, train=list(dds.train) + list(jds.train))
print('copies', time.time() - t0)
distil_and_report(ds, dds, work, seed, extra, {'exp': exp, 'mode': mode, 'J': J}, Path(f'/tmp/exp/{mode}_results.jsonl'))
