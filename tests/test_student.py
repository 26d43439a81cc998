"Integration tests of teacher maps, the student and `fast-aed train` on the tiny benchmark (fake teacher scores)."
import json, os, shutil, subprocess
from pathlib import Path
import numpy as np
import pytest, torch

from fast_aed.synth import render_benchmark
from fast_aed.data import load_dataset
from fast_aed.core import save_npz
from fast_aed.maps import build_teacher_maps, scores_path, load_teacher_maps, export_official, import_official
from fast_aed.distill import load_student, predict_maps, DistillConfig

TINY = {"input_size": [64, 48], "width": 4, "n_down": 2, "depth": 1, "heads": 1, "dim_head": 8, "batch_size": 16,
        "frame_stride": 4, "val_fraction": 0.2}
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'FAST_AED_QUIET': '1'}


def run_cli(*args, check=True):
    proc = subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=600, env=ENV)
    if check and proc.returncode:
        raise AssertionError(f'fast-aed {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


def fake_scores(work, teacher, ds, seed):
    "Random person-sized boxes with random scores (stand-in for a teacher; tests only)."
    g = np.random.default_rng(seed)
    for r in ds.train + ds.test:
        n = 2 * r.frames
        xy = g.uniform(0, [r.width - 30, r.height - 40], (n, 2))
        save_npz(scores_path(work, teacher, r.split, r.name), frame=np.repeat(np.arange(r.frames), 2).astype(np.int32),
                 boxes=np.concatenate([xy, xy + [20, 40]], 1).astype(np.float32),
                 score=g.normal(size=n).astype(np.float32))


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp('student')
    data = render_benchmark(root / 'data', 'tiny', seed=0)
    ds = load_dataset(data)
    work = data / 'work'
    for i, t in enumerate('AB'):
        fake_scores(work, t, ds, i)
        build_teacher_maps(ds, work, t, quiet=True)
    return data, ds, work


def test_maps_cache_and_official_roundtrip(bench, tmp_path):
    data, ds, work = bench
    r = ds.train[0]
    m = load_teacher_maps(work, 'A', 'train', r.name, n_frames=r.frames)
    assert m[1].shape == (r.frames,) and m[16].shape == (r.frames, 16, 16)
    assert 0 <= m[16].min() and m[16].max() <= 1 and np.allclose(m[16].max((1, 2)), m[1])
    out = export_official(work, 'A', 'train', tmp_path / 'off')
    assert len(list((out / r.name / '4x4').glob('*.npy'))) == r.frames
    import_official(tmp_path / 'off', work, 'A_imported', 'train', ds, name='A')
    m2 = load_teacher_maps(work, 'A_imported', 'train', r.name)
    for s in m:
        np.testing.assert_array_equal(m[s], m2[s])


def test_train_cli_end_to_end(bench):
    data, ds, work = bench
    proc = run_cli('train', data, '--config', json.dumps(TINY), '--epochs', 2, '--ae-epochs', 1, '--seed', 1)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    ckpt = Path(res['checkpoint'])
    assert ckpt == work / 'student' / 'student.pt' and res['epochs'] == 2 and res['selection']['criterion'] == 'val_kd'
    for f in ('ae.pt', 'last.pt', 'log.csv', 'loss.png'):
        assert (ckpt.parent / f).exists(), f
    ck = torch.load(ckpt, weights_only=True)
    assert ck['config']['seed'] == 1 and ck['manifest']['versions']['torch'] and ck['manifest']['seed'] == 1
    model, cfg = load_student(ckpt)
    assert isinstance(cfg, DistillConfig) and cfg.input_size == (64, 48)
    pm = predict_maps(model, cfg, ds, 'test', quiet=True)
    assert set(pm) == {r.name for r in ds.test}
    r = ds.test[0]
    assert pm[r.name][1].shape == (r.frames,) and pm[r.name][4].shape == (r.frames, 4, 4)
    assert pm[r.name][16].shape == (r.frames, 16, 16)
    # a rerun with the same settings reuses the checkpoint; a changed setting retrains phase 2 only
    mtime = ckpt.stat().st_mtime_ns
    run_cli('train', data, '--config', json.dumps(TINY), '--epochs', 2, '--ae-epochs', 1, '--seed', 1)
    assert ckpt.stat().st_mtime_ns == mtime
    ae_mtime = (ckpt.parent / 'ae.pt').stat().st_mtime_ns
    run_cli('train', data, '--config', json.dumps(TINY), '--epochs', 1, '--ae-epochs', 1, '--seed', 1, '--distil', 'A',
            '--lambda-adv', 0.05)
    ck = torch.load(ckpt, weights_only=True)
    assert ck['config']['teachers'] == ['A'] and ck['config']['lambda_adv'] == 0.05
    assert (ckpt.parent / 'ae.pt').stat().st_mtime_ns == ae_mtime


def test_train_position_input_and_hflip(bench, tmp_path):
    "A student reading pixel coordinates, trained on mirrored samples too, trains, saves and predicts."
    data, ds, work = bench
    cfg = {**TINY, 'position_input': True, 'hflip': 0.5}
    out = tmp_path / 'work'
    shutil.copytree(work / 'maps', out / 'maps')
    proc = run_cli('train', data, '--work', out, '--config', json.dumps(cfg), '--epochs', 1, '--ae-epochs', 1)
    ckpt = Path(json.loads(proc.stdout.strip().splitlines()[-1])['checkpoint'])
    model, loaded = load_student(ckpt)
    assert loaded.position_input and loaded.hflip == 0.5 and model.trunk.position_input
    assert next(m for m in model.trunk.stem.modules() if isinstance(m, torch.nn.Conv2d)).in_channels == 9 + 2
    pm = predict_maps(model, loaded, ds, 'test', quiet=True)
    assert set(pm) == {r.name for r in ds.test}


def test_train_cli_errors(bench, tmp_path):
    data, ds, work = bench
    p = run_cli('train', data, '--work', tmp_path / 'empty', '--config', json.dumps(TINY), check=False)
    # teacher B: the default
    assert p.returncode == 2 and 'maps/B/meta.json' in p.stderr and 'Traceback' not in p.stderr
    p = run_cli('train', data, '--config', '{"widht": 4}', check=False)
    assert p.returncode == 2 and 'widht' in p.stderr
    p = run_cli('train', tmp_path / 'nowhere', check=False)
    assert p.returncode == 2 and 'dataset.json' in p.stderr
