"The GPU check's fail-fast path on a machine without a GPU, and the training speed settings on a tiny fixture."
import os, subprocess, sys
from dataclasses import replace
from pathlib import Path
import numpy as np
import pytest
import torch
from fast_aed.core import save_npz, work_dir
from fast_aed.data import load_dataset
from fast_aed.distill import DistillConfig, DiskFrameStacks, train_student
from fast_aed.maps import build_teacher_maps, scores_path
from fast_aed.synth import render_benchmark

ROOT = Path(__file__).resolve().parents[1]
no_gpu = pytest.mark.skipif(torch.cuda.is_available(), reason='checks the path taken without a GPU')


@no_gpu
def test_script_fails_fast_without_gpu(tmp_path):
    "scripts/gpu_check.sh stops before any work, with one line and exit status 2."
    env = {**os.environ, 'GPU_CHECK_DIR': str(tmp_path / 'check'), 'FAST_AED': f'{sys.executable} -m fast_aed.cli',
           'PYTHONPATH': str(ROOT)}
    r = subprocess.run(['bash', str(ROOT / 'scripts' / 'gpu_check.sh'), str(tmp_path / 'out.json')], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith('fast-aed: error: gpu-check: no CUDA GPU visible'), r.stderr
    assert not (tmp_path / 'check').exists() and not (tmp_path / 'out.json').exists()   # nothing was done


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "The tiny synthetic benchmark with made-up maps of teacher B (a box per frame, random scores)."
    ds = load_dataset(render_benchmark(tmp_path_factory.mktemp('gpu') / 'tiny', 'tiny', seed=0))
    work, g = work_dir(ds.root), np.random.default_rng(0)
    for r in ds.train + ds.test:
        boxes = np.tile(np.float32([10, 10, 60, 60]), (r.frames, 1))
        save_npz(scores_path(work, 'B', r.split, r.name), frame=np.arange(r.frames, dtype=np.int32), boxes=boxes,
                 score=g.random(r.frames).astype(np.float32))
    build_teacher_maps(ds, work, 'B', quiet=True)
    return ds, work


def test_speed_settings_train_and_reuse_the_frame_cache(tiny):
    "bf16 autocast on the CPU, channels-last and the disk frame cache train; a second run reuses the cache."
    ds, work = tiny
    cfg = DistillConfig(input_size=(64, 48), width=4, n_down=2, depth=1, heads=1, dim_head=8, ae_epochs=1, epochs=1,
                        batch_size=16, precision='bf16', channels_last=True, cache_frames='disk', threads=1)
    ck = torch.load(train_student(ds, work, cfg, quiet=True), weights_only=True)
    assert all(np.isfinite(r['train_loss']) for r in ck['history'])
    assert (ck['config']['precision'], ck['config']['channels_last']) == ('bf16', True)
    files = sorted((work / 'frame_cache').glob('*_64x48.u8'))
    assert len(files) == len(ds.train)
    stamps = [f.stat().st_mtime_ns for f in files]
    train_student(ds, work, replace(cfg, seed=1), quiet=True)
    assert [f.stat().st_mtime_ns for f in files] == stamps   # reused, not written again
    stacks = DiskFrameStacks(ds.train, cfg.at_fps(ds.fps).offsets, cfg.input_size, work / 'frame_cache')
    assert stacks.paths == files


def test_fp16_on_cpu_falls_back_to_fp32(tiny, caplog):
    "fp16 autocast needs CUDA: on the CPU the run trains in fp32 after a one-line warning."
    ds, work = tiny
    cfg = DistillConfig(input_size=(32, 24), width=4, n_down=2, depth=0, pretraining='none', epochs=1, batch_size=32,
                        precision='fp16', device='cpu', threads=1)
    with caplog.at_level('WARNING', logger='fast_aed.distill'):
        train_student(ds, work, cfg, quiet=True)
    assert any("precision='fp16' needs a CUDA device" in m for m in caplog.messages)
