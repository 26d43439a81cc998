"""Prototype: a KD loss that weights the high-score cells of the teacher's 4x4 and 16x16 maps (w = 1 + ALPHA * target,
normalised by the weights' sum), on the default training set. Training only: validation (under no_grad) keeps the plain
MSE, so the selection and the reported validation loss stay comparable with the default runs.
Usage: python proto_focus.py SEED EXP ALPHA '{overrides}' (ALPHA 0 and '{"kd_focus": 9}': the library's option)"""
import sys, json, time, torch, torch.nn.functional as F
from pathlib import Path
from fast_aed import pipeline, distill
from proto_common import setup, distil_and_report, teachers_of

seed = int(sys.argv[1]); exp = sys.argv[2]; alpha = float(sys.argv[3]); extra = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
plain_kd = distill.kd_loss

def focused_mse(p, y, s):
    "Plain MSE for the 1x1 score, target-weighted MSE for the spatial maps."
    if s == 1 or alpha == 0: return F.mse_loss(p, y)
    w = 1 + alpha * y.detach()
    return (w * (p - y) ** 2).sum() / w.sum()

def focus_kd(pred, targets, weights, focus=0.):
    if not torch.is_grad_enabled(): return plain_kd(pred, targets, weights)
    parts = {f'{k}/{s}': focused_mse(pred[s], y[s], s) for k, y in targets.items() for s in pred}
    return sum(weights[k] * parts[f'{k}/{s}'] for k in targets for s in pred), parts

if alpha: distill.kd_loss = focus_kd   # ALPHA 0: the library's own `kd_focus` (extra {'kd_focus': ...}) decides
ds, work = setup(seed, 'focus', exp)
dds = pipeline.distillation_dataset(ds, work, teachers_of(extra), ('motion', None), (2, 3), log=print)
distil_and_report(ds, dds, work, seed, extra, {'exp': exp, 'alpha': alpha}, Path('/tmp/exp/focus_results.jsonl'))
