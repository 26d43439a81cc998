"The scaling table's grid and its refusals through the command line (nothing is measured: see nbs/14c_scaling)."
import os, subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, *args) -> subprocess.CompletedProcess:
    "`fast-aed ARGS` in `tmp_path` with its own cache and the checkout's papermill notebooks."
    env = {**os.environ, 'FAST_AED_CACHE': str(tmp_path / 'cache'),
           'FAST_AED_PAPERMILL_DIR': str(ROOT / 'papermill_runs')}
    return subprocess.run(['fast-aed', *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_scaling_table_has_one_point_per_size_and_one_seed(tmp_path):
    proc = _run(tmp_path, 'reproduce', 'scaling', '--preset', 'tiny', '--seeds', '3', '--reports',
                str(tmp_path / 'reports'), '--check')
    assert proc.returncode == 1 and proc.stdout.count(': missing') == 3, proc.stdout + proc.stderr
    for size in ('x1', 'x2', 'x4'):
        assert f'synthetic-tiny/scaling/{size}-seed0: missing' in proc.stdout, proc.stdout


def test_scaling_table_refuses_a_real_benchmark(tmp_path):
    proc = _run(tmp_path, 'reproduce', 'scaling', '--dataset', 'ped2', '--data', str(tmp_path))
    assert proc.returncode == 2 and 'synthetic' in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, \
        proc.stderr

