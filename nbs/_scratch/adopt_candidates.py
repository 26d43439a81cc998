"""How the candidates of `student-s2d-t1-focus-best3` (stop 30) entered the reproduce cache: check that the prototype runs
/tmp/exp/focus/seedS/off1f9cX (`proto_focus.py`) carry the run key of the grid point's best_of candidates; with --copy, copy
them into the grid point's folder, where `fast-aed reproduce main --runs student-s2d-t1-focus-best3` adopts them.
Usage: python adopt_candidates.py SEED [--copy]"""
import sys, shutil, torch
from pathlib import Path
from fast_aed import pipeline
from fast_aed.data import load_dataset
from fast_aed.distill import DistillConfig, run_key, _candidate_config
from fast_aed.reproduce import STUDENT_SIZES, STUDENT_DEFAULTS, _student_work, _link_shared, select_copies, SPEEDUP, JITTER, default_cache_dir
seed = int(sys.argv[1]); copy = '--copy' in sys.argv
cache = default_cache_dir(); shared = cache / 'work' / 'synthetic-standard' / f'seed{seed}' / 'motion'
ds = load_dataset(cache / f'synthetic-standard-seed{seed}')
row = {**STUDENT_DEFAULTS, **STUDENT_SIZES['student-s2d-t1-focus-best3']}
work = _student_work(shared, {**row, 'seed': seed}); _link_shared(shared, work); print(work)
cfg = DistillConfig(**{'seed': seed, **row})
dds = select_copies(pipeline.distillation_dataset(ds, shared, list(pipeline.TEACHERS), ('motion', None), SPEEDUP, lambda *a: None, JITTER, seed), ds, SPEEDUP, JITTER)
for k in range(cfg.best_of):
    ck_cfg = _candidate_config(cfg, k); key = run_key(dds, work, ck_cfg, 'kd')
    src = Path(f'/tmp/exp/focus/seed{seed}/off1f9c{ck_cfg.seed}/student')
    if not (src / 'student.pt').exists(): print(ck_cfg.seed, 'not trained yet'); continue
    ck = torch.load(src / 'student.pt', map_location='cpu', weights_only=False)
    ok = ck.get('run_key') == key and ck.get('complete'); print(ck_cfg.seed, 'key match' if ok else f"MISMATCH {ck.get('run_key')} vs {key}", ck['selection'])
    dst = work / 'student' / 'best_of' / f'seed{ck_cfg.seed}'
    if ok and copy and not (dst / 'student.pt').exists():
        dst.mkdir(parents=True, exist_ok=True)
        for f in ('ae.pt', 'last.pt', 'log.csv', 'loss.png', 'student.pt'):
            if (src / f).exists(): shutil.copy2(src / f, dst / f)
        print('copied to', dst)
