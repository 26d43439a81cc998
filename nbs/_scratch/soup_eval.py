"""Diagnostic for proto_soup.py: evaluate each order-k run of SEED and the uniform average of their weights.
Usage: python soup_eval.py SEED K1 K2 ... (k = 0 is the main table's student-base run)"""
import sys, json, os
from pathlib import Path
import torch
from fast_aed import pipeline
from fast_aed.data import load_dataset
from fast_aed.core import torch_save_atomic
from fast_aed.reproduce import _student_work, STUDENT_DEFAULTS
from proto_common import CACHE, base_run

seed, ks = int(sys.argv[1]), [int(k) for k in sys.argv[2:]]
ds = load_dataset(CACHE / f'synthetic-standard-seed{seed}')
shared = CACHE / 'work' / 'synthetic-standard' / f'seed{seed}' / 'motion'
paths = {k: (base_run(seed) if k == 0 else Path(f'/tmp/exp/soup/seed{seed}/order{k}') / 'student') / 'student.pt' for k in ks}
cks = {k: torch.load(p, map_location='cpu', weights_only=True) for k, p in paths.items()}
soup = dict(cks[ks[0]]); soup['model'] = {n: (torch.stack([cks[k]['model'][n].float() for k in ks]).mean(0).to(v.dtype) if v.dtype.is_floating_point else v)
                                          for n, v in cks[ks[0]]['model'].items()}
soup['soup_of'] = [str(p) for p in paths.values()]
work = Path(f'/tmp/exp/soup/seed{seed}/soup' + ''.join(map(str, ks))); (work / 'student').mkdir(parents=True, exist_ok=True)
if not (work / 'detections').exists(): os.symlink(shared / 'detections', work / 'detections')
torch_save_atomic(soup, work / 'student' / 'student.pt')
rows = []
for name, ck in [(f'order{k}', paths[k]) for k in ks] + [('soup' + ''.join(map(str, ks)), work / 'student' / 'student.pt')]:
    res = pipeline.evaluate_student_run(ds, work, checkpoint=ck, plots=False)
    mix = res['heads']['MIX']
    val = torch.load(ck, map_location='cpu', weights_only=True)['selection'].get('score') if name.startswith('order') else None
    rows.append({'seed': seed, 'run': name, 'val_kd': val, 'micro_mix': round(mix['micro_auc'], 4), 'macro': round(res['macro_auc'], 4),
                 'heads': {h: round(r['micro_auc'], 4) for h, r in res['heads'].items()},
                 'kinds': {n: round(v, 2) for n, v in mix.get('per_kind', {}).items()}})
    print(json.dumps(rows[-1]), flush=True)
with open('/tmp/exp/soup_eval.jsonl', 'a') as f:
    for r in rows: f.write(json.dumps(r) + '\n')
