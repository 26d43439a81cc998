"Integration tests of `fast-aed bench` (shape of the result on a tiny run; speed goals are measured, never asserted)."
import json, os, subprocess

import numpy as np
import pytest

ENV = {**os.environ, 'YOLO_OFFLINE': '1', 'YOLO_AUTOINSTALL': '0', 'FAST_AED_QUIET': '1', 'OMP_NUM_THREADS': '1'}


def run_cli(*args, check=True):
    proc = subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=300, env=ENV)
    if check and proc.returncode:
        raise AssertionError(f'fast-aed {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    from fast_aed.data import DatasetWriter
    root = tmp_path_factory.mktemp('bench') / 'toy'
    rng = np.random.default_rng(0)
    frames = []
    for t in range(10):
        f = rng.integers(90, 110, (72, 128, 3)).astype(np.uint8)
        f[20:40, 5 + 8 * t:15 + 8 * t] = 20
        frames.append(f)
    with DatasetWriter(root) as w:
        w.add_video('train', 'a', frames)
        w.add_video('test', 'a', frames, labels=np.zeros(10, np.uint8))
        w.finish('toy')
    return root


def test_bench_json_shape(toy, tmp_path):
    out = tmp_path / 'bench.json'
    p = run_cli('bench', '--data', toy, '--input-size', '64x36', '--batch-sizes', '1,32', '--iters', '2', '--warmup',
                '1',
                '--frames', '10', '--pipeline-iters', '1', '--device', 'cpu', '--threads', '1', '--json', '--out', out)
    res = json.loads(p.stdout)  # stdout is exactly one JSON document
    for k in ('fps_b1', 'fps_b32', 'gflops', 'params'):
        assert res['student'][k] > 0, k
    assert res['detector']['fps'] > 0
    for t in ('teacher_A', 'teacher_B'):
        assert 'fps' in res[t] and (res[t]['fps'] is None and res[t]['reason'] or res[t]['fps'] > 0)
    assert isinstance(res['speedup_vs_teachers'], float) and res['speedup_vs_teachers'] > 0
    assert isinstance(res['device'], str) and res['device'].startswith('cpu') and '1 torch threads' in res['device']
    assert res['student']['latency']['b32']['n'] == 2 and res['student']['input_size'] == [64, 36]
    assert res['conventions']['timing'] == 'sync' and 'GMACs' in res['conventions']['gflops']
    assert res['onnx'].get('fps_b1') is None or res['onnx']['fps_b1'] > 0
    assert json.loads(out.read_text())['student']['params'] == res['student']['params']
    # int8 (calibrated on the training video), the matmul peak, roofline fractions and speed-ups per runtime
    i8 = res['onnx_int8']
    assert i8['fps_b1'] > 0 and i8['fps_b32'] > 0 and i8['quantization']['calibrated_on'].startswith('training')
    assert 'reason' in i8['auc_change']   # fresh weights: no AUC change is claimed
    assert res['peak_matmul']['gflop_per_s'] > 0 and res['peak_matmul']['threads'] == 1
    assert '2 FLOPs' in res['conventions']['roofline']
    for k in ('student', 'torchscript', 'onnx', 'onnx_int8'):
        for b in ('b1', 'b32'):
            assert 0 < res['roofline'][k][b] < 10, (k, b)
            pipe = res['teachers_pipeline']['fps']
            assert pipe is None or res['speedup_vs_pipeline'][k][b] == res[k][f'fps_{b}'] / pipe


def test_bench_official_timing_and_errors(toy):
    p = run_cli('bench', '--data', toy, '--input-size', '64x36', '--batch-sizes', '2', '--iters', '2', '--warmup', '0',
                '--frames', '6', '--pipeline-iters', '1', '--device', 'cpu', '--official-timing', '--no-onnx',
                '--no-int8')
    assert 'timing: official' in p.stdout and 'student batch 2' in p.stdout
    assert 'ort int8' not in p.stdout and '% peak: fps x 2 FLOPs/MAC' in p.stdout   # --no-int8 honoured
    p = run_cli('bench', '--batch-sizes', 'a,b', check=False)
    assert p.returncode == 2 and '--batch-sizes' in p.stderr
    p = run_cli('bench', '--input-size', '640', check=False)
    assert p.returncode == 2 and 'WxH' in p.stderr
