"""Prototype: augment the distillation samples of the training set. MODE flip: mirror the stack and the 4x4 / 16x16
target maps left-right with probability 1/2; MODE reverse: swap frames t-3 and t+3 with probability 1/2 (targets
unchanged); MODE both. Validation samples are never augmented. Usage: python proto_augment.py SEED MODE '{overrides}'"""
import sys, json, time, numpy as np, torch
from pathlib import Path
from fast_aed import pipeline, distill
from proto_common import setup, distil_and_report, teachers_of

seed = int(sys.argv[1]); mode = sys.argv[2]; extra = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
assert mode in ('flip', 'reverse', 'both'), mode


class AugmentedSamples(distill.DistillSamples):
    "The first instance `_train_student` builds is the training set: only it is augmented."
    built = 0
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.augment = AugmentedSamples.built == 0; AugmentedSamples.built += 1
        self.rng = np.random.default_rng(seed + 12345)

    def __getitem__(self, j):
        out = super().__getitem__(j)
        if not self.augment: return out
        if mode in ('flip', 'both') and self.rng.random() < 0.5:
            out['x'] = torch.flip(out['x'], dims=(-1,))
            out['y'] = {n: {s: (v if s == 1 else torch.flip(v, dims=(-1,))) for s, v in y.items()} for n, y in out['y'].items()}
        if mode in ('reverse', 'both') and self.rng.random() < 0.5:
            x = out['x']; out['x'] = torch.cat([x[0:3], x[6:9], x[3:6]])   # offsets (0, -3, 3): channels t, t-3, t+3
        return out


distill.DistillSamples = AugmentedSamples
ds, work = setup(seed, 'augment', mode)
dds = pipeline.distillation_dataset(ds, work, teachers_of(extra), ('motion', None), (2, 3), log=print)
distil_and_report(ds, dds, work, seed, extra, {'exp': mode}, Path('/tmp/exp/augment_results.jsonl'))
