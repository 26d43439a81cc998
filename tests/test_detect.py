"Integration tests of `fast-aed detect` and the detection cache."
import json, os, subprocess
from pathlib import Path

import numpy as np
import pytest

ENV = {**os.environ, 'YOLO_OFFLINE': '1', 'YOLO_AUTOINSTALL': '0', 'FAST_AED_QUIET': '1', 'OMP_NUM_THREADS': '1'}


def run_cli(*args, check=True, tmp_path=None):
    "Run the installed console script and return the completed process."
    env = dict(ENV)
    if tmp_path is not None:
        env['YOLO_CONFIG_DIR'] = str(tmp_path / 'yolo_cfg')
    proc = subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=300, env=env)
    if check and proc.returncode:
        raise AssertionError(f'fast-aed {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


def moving_scene(n, seed, H=120, W=160):
    "Frames of a noisy textured scene with two dark actors crossing it, and their inclusive boxes per frame."
    import cv2
    rng = np.random.default_rng(seed)
    bg = cv2.GaussianBlur(rng.integers(60, 200, (H, W, 3)).astype(np.uint8), (7, 7), 0)
    frames, tracks = [], []
    for t in range(n):
        f = np.clip(bg + rng.normal(0, 3, bg.shape), 0, 255).astype(np.uint8)
        for k, (x, y, w, h) in enumerate([(5 + 2 * t, 20, 8, 20), (150 - 2 * t, 80, 10, 24)]):
            if 0 <= x and x + w < W:
                f[y:y + h, x:x + w] = (30, 40, 100)
                tracks.append([k, t, x, y, x + w - 1, y + h - 1])
        frames.append(f)
    return np.stack(frames), np.array(tracks)


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    from fast_aed.data import DatasetWriter
    root = tmp_path_factory.mktemp('det') / 'data'
    with DatasetWriter(root) as w:
        for i in range(2):
            w.add_video('train', f'tr{i}', moving_scene(30, i)[0])
        fr, tr = moving_scene(30, 7)
        w.add_video('test', 'te0', fr, labels=np.ones(30, np.uint8), tracks=tr)
        w.finish('moving')
    return root


def test_detect_cli_caches_and_resumes(dataset, tmp_path):
    work = tmp_path / 'work'
    out = json.loads(run_cli('detect', dataset, '--work', work, '--json').stdout)
    assert out['videos'] == 3 and out['frames'] == 90
    assert 1.5 <= out['boxes_per_frame'] <= 3, out  # two actors, partly out of view
    cache = Path(out['cache'])
    files = sorted(cache.rglob('*.npz'))
    assert len(files) == 3 and (cache / 'config.json').exists()
    mtimes = [f.stat().st_mtime_ns for f in files]
    files[0].unlink()  # an interrupted run: one video missing
    text = run_cli('detect', dataset, '--work', work).stdout  # the readable summary
    assert 'motion detector' in text and 'frames/s' in text and '3 videos' in text
    # only the missing video was redone
    assert files[0].exists() and [f.stat().st_mtime_ns for f in files[1:]] == mtimes[1:]
    # the cached detections find the actors
    from fast_aed.data import load_dataset
    from fast_aed.detect import load_dataset_detections, track_recall
    ds = load_dataset(dataset)
    dets = load_dataset_detections(ds, work, cache.name, splits=('test',))
    assert track_recall(ds, dets)['recall'] >= 0.9


def test_detect_cache_without_fingerprint_is_recomputed(dataset, tmp_path):
    "A cache file written without a source fingerprint (source '') is detected again, and gets one."
    from fast_aed.detect import Detections
    work = tmp_path / 'work'
    cache = Path(json.loads(run_cli('detect', dataset, '--work', work, '--splits', 'test', '--json').stdout)['cache'])
    path = cache / 'test' / 'te0.npz'
    d = Detections.load(path)
    fingerprint = d.source
    Detections(d.frame, d.boxes, d.conf, d.cls, d.n_frames, d.key).save(path)
    assert fingerprint and Detections.load(path).source == ''
    run_cli('detect', dataset, '--work', work, '--splits', 'test', '--json')
    assert Detections.load(path).source == fingerprint


def test_detect_cli_errors(dataset, tmp_path):
    p = run_cli('detect', dataset, '--detector', 'yolo', '--weights', tmp_path / 'missing' / 'yolov8n.pt', check=False,
                tmp_path=tmp_path)
    assert p.returncode == 2 and '--weights /path/to/yolov8n.pt' in p.stderr and 'Traceback' not in p.stderr
    p = run_cli('detect', dataset, '--splits', 'val', check=False)
    assert p.returncode == 2 and 'val' in p.stderr


def test_detect_cli_yolo_offline(dataset, tmp_path):
    "Offline, the default weights cannot be downloaded: one clear error; an untrained yaml model runs end to end."
    p = run_cli('detect', dataset, '--detector', 'yolo', '--work', tmp_path / 'w', check=False, tmp_path=tmp_path)
    assert p.returncode == 2 and '--weights' in p.stderr, p.stderr
    out = json.loads(run_cli('detect', dataset, '--detector', 'yolo', '--weights', 'yolov8n.yaml', '--imgsz', '160',
                             '--device', 'cpu', '--splits', 'test', '--work', tmp_path / 'w', '--json',
                             tmp_path=tmp_path).stdout)
    assert out['videos'] == 1 and out['frames'] == 30 and out['det_key'].startswith('yolo-')
