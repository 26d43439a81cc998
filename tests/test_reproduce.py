"A tiny reproduction grid through real papermill subprocesses (tiny preset, one seed)."
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_tiny_main_table_through_papermill(tmp_path):
    env = {**os.environ, 'FAST_AED_CACHE': str(tmp_path / 'cache'), 'FAST_AED_PAPERMILL_DIR': str(ROOT / 'papermill_runs')}
    cmd = ['fast-aed', 'reproduce', 'main', 'speed', '--preset', 'tiny', '--seeds', '1', '--reports', str(tmp_path / 'reports')]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = tmp_path / 'reports' / 'synthetic-tiny' / 'main'   # presets other than standard report in their own folder
    for run in ('student-small-seed0', 'student-base-seed0', 'student-s2d-seed0', 'student-base-best3-seed0', 'student-base-best5-seed0',
                'student-s2d-focus-best3-seed0', 'student-s2d-t1-focus-best3-seed0'):
        assert (out / f'{run}.ipynb').exists()
        m = json.loads((out / f'{run}.metrics.json').read_text())
        assert {'params', 'seed', 'git_revision', 'versions', 'metrics', 'timings', 'machine'} <= set(m)
        assert 0 <= m['metrics']['student']['micro_auc'] <= 1
    best = json.loads((out / 'student-base-best3-seed0.metrics.json').read_text())['metrics']['best_of']
    assert [c['seed'] for c in best['candidates']] == [0, 1000, 2000] and best['criterion'] == 'val_kd'
    best5 = json.loads((out / 'student-base-best5-seed0.metrics.json').read_text())['metrics']['best_of']
    assert [c['seed'] for c in best5['candidates']] == [0, 1000, 2000, 3000, 4000]
    focus = json.loads((out / 'student-s2d-focus-best3-seed0.metrics.json').read_text())
    assert [c['seed'] for c in focus['metrics']['best_of']['candidates']] == [0, 1000, 2000]
    assert focus['params']['student']['kd_focus'] == 9 and focus['params']['student']['input_size'] == [320, 176]
    t1 = json.loads((out / 'student-s2d-t1-focus-best3-seed0.metrics.json').read_text())
    assert t1['params']['student']['offsets'] == [0, -1, 1] and len(t1['metrics']['best_of']['candidates']) == 3
    table = (out / 'table.md').read_text()
    assert 'teacher A' in table and 'student-small [MIX]' in table
    assert (out / 'table.png').exists() and (out / 'table.ipynb').exists()
    # the speed point ran after the training points, alone, with every core, and measured each row's memory in its own process
    speed = json.loads((out.parent / 'speed' / 'speed-seed0.metrics.json').read_text())
    assert speed['machine']['omp_num_threads'] == str(os.cpu_count())
    mem = speed['metrics']['speed']['memory']
    assert mem['student_b32']['working_mb'] > 0 and mem['detector']['peak_mb'] > mem['detector']['baseline_mb'] > 0, mem
    speed_table = (out.parent / 'speed' / 'table.md').read_text()
    assert 'working_mb' in speed_table and 'student (PyTorch)' in speed_table and 'speed-up: student (PyTorch)' in speed_table
    # a second run skips every finished grid point; every invocation is kept in the history
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and '0 done, 8 skipped' in proc.stdout, proc.stdout[-2000:]
    # --runs keeps the named grid points only
    proc = subprocess.run(cmd + ['--runs', 'student-small'], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and '0 done, 1 skipped' in proc.stdout, proc.stdout[-2000:]
    (out / 'table.md').unlink()
    proc = subprocess.run(cmd + ['--tables-only'], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and '0 done, 0 skipped' in proc.stdout and (out / 'table.md').read_text() == table
    history = json.loads((out.parent / 'reproduce_history.json').read_text())['runs']
    assert [r['counts']['done'] for r in history] == [8, 0, 0, 0] and history[-1]['tables_only']
