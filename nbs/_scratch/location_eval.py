"Scratch (stop 13): `fast_aed.pipeline.eval_teachers` with the location prior on the reproduce run's cached teachers, 3 seeds."
import json, sys, numpy as np
from pathlib import Path
from fast_aed.data import load_dataset
from fast_aed.pipeline import eval_teachers
cache = Path(sys.argv[1] if len(sys.argv) > 1 else 'papermill_runs/_cache')
out = {}
for seed in range(3):
    ds = load_dataset(cache / f'synthetic-standard-seed{seed}')
    res = eval_teachers(ds, cache / 'work' / 'synthetic-standard' / f'seed{seed}' / 'motion', ['A', 'B'])
    out[seed] = {k: {m: res[k][m] for m in ('micro_auc', 'macro_auc', 'rbdc', 'tbdc')} | {'per_kind': res[k].get('per_kind')}
                 for k in ('A', 'B', 'ensemble', 'location', 'ensemble_location')}
    print(seed, {k: round(100 * v['micro_auc'], 1) for k, v in out[seed].items()}, flush=True)
for k in out[0]:
    print(k, {m: f"{100 * np.mean([out[s][k][m] for s in out]):.1f} +- {100 * np.std([out[s][k][m] for s in out]):.1f}" for m in ('micro_auc', 'macro_auc', 'rbdc', 'tbdc')},
          {kind: round(100 * np.mean([out[s][k]['per_kind'][kind] for s in out]), 1) for kind in out[0][k]['per_kind']})
json.dump(out, open('/tmp/location_eval.json', 'w'), indent=1)
