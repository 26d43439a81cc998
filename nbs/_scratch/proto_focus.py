"""Prototype: distil with the target-weighted KD loss (`DistillConfig.kd_focus`: each 4x4 / 16x16 cell weighs
1 + ALPHA x its teacher score, normalised by the weights' sum; validation keeps the plain MSE) on the default training set.
Stop 27's first four runs replaced `distill.kd_loss` with the same arithmetic before the option existed; their run keys
carry kd_focus 0. Usage: python proto_focus.py SEED EXP ALPHA '{overrides}'"""
import sys, json
from pathlib import Path
from fast_aed import pipeline
from proto_common import setup, distil_and_report, teachers_of

seed = int(sys.argv[1]); exp = sys.argv[2]; alpha = float(sys.argv[3]); extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
if alpha: extra = {'kd_focus': alpha, **extra}
ds, work = setup(seed, 'focus', exp)
dds = pipeline.distillation_dataset(ds, work, teachers_of(extra), ('motion', None), (2, 3), log=print)
distil_and_report(ds, dds, work, seed, extra, {'exp': exp, 'alpha': alpha}, Path('/tmp/exp/focus_results.jsonl'))
