"""Prototype: training runs that share the seed of everything (auto-encoder, initial weights, discriminators) and differ
only in the order of the phase-2 batches (ORDER k: the loader's generator is offset by 7777 k in phase 2; k = 0 is the
main table's student-base run). Their weights are then averaged by `soup_eval.py` (a "model soup").
Usage: python proto_soup.py SEED K"""
import sys, json, shutil
from pathlib import Path
import torch
from fast_aed import pipeline, distill
from fast_aed.reproduce import _student_work, STUDENT_DEFAULTS
from proto_common import setup, distil_and_report, teachers_of, CACHE, base_run

seed, k = int(sys.argv[1]), int(sys.argv[2])
PHASE = {'kd': False}
_orig_loader, _orig_ae = distill._loader, distill._train_ae

def loader(dataset, config, info, dist_mod, shuffle, epoch, batch):
    "Phase-2 training batches in the order of offset k; everything else as the library does it."
    if not (PHASE['kd'] and shuffle): return _orig_loader(dataset, config, info, dist_mod, shuffle, epoch, batch)
    g = torch.Generator().manual_seed(config.seed * 1000 + epoch + 7777 * k)
    return torch.utils.data.DataLoader(dataset, batch_size=batch, shuffle=True, generator=g, num_workers=config.num_workers,
                                       drop_last=False, persistent_workers=False)

def train_ae(*a, **kw):
    out = _orig_ae(*a, **kw); PHASE['kd'] = True; return out

distill._loader, distill._train_ae = loader, train_ae
ds, work = setup(seed, 'soup', f'order{k}')
base = base_run(seed)
(work / 'student').mkdir(exist_ok=True)
if not (work / 'student' / 'ae.pt').exists(): shutil.copyfile(base / 'ae.pt', work / 'student' / 'ae.pt')   # the shared phase 1
dds = pipeline.distillation_dataset(ds, work, teachers_of({}), ('motion', None), (2, 3), log=print)
distil_and_report(ds, dds, work, seed, {}, {'exp': f'order{k}'}, Path('/tmp/exp/soup_results.jsonl'))
