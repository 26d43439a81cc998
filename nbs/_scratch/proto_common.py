"""Shared by the distillation prototypes: a private work folder seeded from a reproduce cache, and distil + evaluate + record."""
import json, os, time, shutil
from pathlib import Path
from fast_aed import pipeline
from fast_aed.data import load_dataset
from fast_aed.distill import DistillConfig, train_student

CACHE = Path(os.environ.get('FAST_AED_CACHE', '/work/main/papermill_runs/_cache'))


def setup(seed: int, kind: str, exp: str):
    "The benchmark of `seed` and a work folder /tmp/exp/KIND/seedS/EXP holding copies of its cached detections, teachers and sped-up copies."
    src = CACHE / 'work' / 'synthetic-standard' / f'seed{seed}' / 'motion'
    work = Path(f'/tmp/exp/{kind}/seed{seed}/{exp}')
    if not work.exists():
        work.mkdir(parents=True)
        for name in ('detections', 'teachers', 'speedup'): shutil.copytree(src / name, work / name, symlinks=True)
    return load_dataset(CACHE / f'synthetic-standard-seed{seed}'), work


def teachers_of(extra: dict) -> list:
    "The teachers a prototype distils: `extra['teachers']`, or B alone (the library's default)."
    return list(extra.get('teachers', ['B']))


def distil_and_report(ds, dds, work: Path, seed: int, extra: dict, record: dict, results: Path):
    "Map the teachers of `extra` (default B) on `dds`, distil a student with `extra` overrides, evaluate it on `ds` and append the result to `results`."
    teachers = teachers_of(extra)
    pipeline.build_maps(dds, work, teachers, normalisation='global_minmax')
    cfg = DistillConfig(**{'teachers': teachers, 'seed': seed, **extra})
    t0 = time.time(); train_student(dds, work, cfg); print('train', time.time() - t0)
    evaluate_and_record(ds, work, None, {'seed': seed, **record, 'extra': extra}, results)


def evaluate_and_record(ds, work: Path, checkpoint, record: dict, results: Path) -> dict:
    "Evaluate the student at `checkpoint` (None: WORK/student/student.pt) on `ds`, print it and append `record` + its AUCs to `results`."
    res = pipeline.evaluate_student_run(ds, work, checkpoint=checkpoint, plots=False)
    row = {**record, 'heads': {h: round(r['micro_auc'], 4) for h, r in res['heads'].items()}, 'macro': res['macro_auc'],
           'kinds': {k: round(v, 2) for k, v in res['heads']['MIX'].get('per_kind', {}).items()}}
    print('RESULT', json.dumps(row), flush=True)
    with open(results, 'a') as f: f.write(json.dumps(row) + '\n')
    return row


def base_run(seed: int) -> Path:
    "The folder of the cached student-base run of `seed`: its reproduce grid point, or candidate 0 of its best-of-3 grid point."
    from fast_aed.reproduce import _student_work, STUDENT_DEFAULTS
    shared = CACHE / 'work' / 'synthetic-standard' / f'seed{seed}' / 'motion'
    single = _student_work(shared, {**STUDENT_DEFAULTS, 'seed': seed}) / 'student'
    return single if (single / 'student.pt').exists() else _student_work(shared, {**STUDENT_DEFAULTS, 'best_of': 3, 'seed': seed}) / 'student' / 'best_of' / f'seed{seed}'
