"A tiny reproduction grid through real papermill subprocesses (tiny preset, one seed)."
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _png_outputs(notebook: Path, contains: str = '') -> int:
    "How many image/png outputs an executed notebook holds (in the cells whose source contains `contains`)."
    cells = [c for c in json.loads(Path(notebook).read_text())['cells'] if contains in ''.join(c['source'])]
    return sum('image/png' in o.get('data', {}) for c in cells for o in c.get('outputs', []))


def _output_text(notebook: Path) -> str:
    "Every text an executed notebook printed or displayed (its outputs only, not its code)."
    outs = [o for c in json.loads(Path(notebook).read_text())['cells'] for o in c.get('outputs', [])]
    return ''.join(''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/markdown', '')) for o in outs)


def _env(tmp_path: Path) -> dict:
    "The environment of a reproduction in `tmp_path`: its own cache, the checkout's papermill notebooks."
    return {**os.environ, 'FAST_AED_CACHE': str(tmp_path / 'cache'),
            'FAST_AED_PAPERMILL_DIR': str(ROOT / 'papermill_runs')}


def test_tiny_main_table_through_papermill(tmp_path):
    env = _env(tmp_path)
    cmd = ['fast-aed', 'reproduce', 'main', 'speed', '--preset', 'tiny', '--seeds', '1',
           '--reports', str(tmp_path / 'reports')]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = tmp_path / 'reports' / 'synthetic-tiny' / 'main'   # presets other than standard report in their own folder
    for run in ('student-small-seed0', 'student-base-seed0', 'student-s2d-seed0', 'student-base-best3-seed0'):
        assert (out / f'{run}.ipynb').exists()
        m = json.loads((out / f'{run}.metrics.json').read_text())
        assert {'params', 'seed', 'git_revision', 'versions', 'metrics', 'timings', 'machine'} <= set(m)
        assert 0 <= m['metrics']['student']['micro_auc'] <= 1
        # the report shows what happened: at least five figures, small PNGs, no red warning; metrics keep what they draw
        report = (out / f'{run}.ipynb').read_text()
        assert _png_outputs(out / f'{run}.ipynb') >= 5 and len(report) < 400_000 and 'TqdmWarning' not in report, run
        curves = m['metrics']['training_curves']
        assert set(curves) == {'A', 'B', 'student'} and curves['student']
        assert m['metrics']['student']['per_kind'] and m['metrics']['student']['per_video_auc']
    best = json.loads((out / 'student-base-best3-seed0.metrics.json').read_text())['metrics']['best_of']
    assert [c['seed'] for c in best['candidates']] == [0, 1000, 2000] and best['criterion'] == 'val_kd'
    s2d = json.loads((out / 'student-s2d-seed0.metrics.json').read_text())
    assert s2d['params']['student']['stem'] == 's2d' and s2d['params']['student']['input_size'] == [320, 176]
    assert s2d['metrics']['student']['config']['motion_input'] == 'differences'   # the 0.3.0 default reaches each row
    table = (out / 'table.md').read_text()
    assert 'teacher A' in table and 'student-small [MIX]' in table
    assert (out / 'table.png').exists() and (out / 'table.ipynb').exists()
    # the table notebook drew the speed-accuracy trade-off (and the per-kind heat map) and names its code version
    table_nb = (out / 'table.ipynb').read_text()
    assert _png_outputs(out / 'table.ipynb', 'table_figures') >= 2 and 'Speed against accuracy (trade-off)' in table_nb
    shown = _output_text(out / 'table.ipynb')
    assert 'code version(s): ' in shown and 'These rows mix' not in shown
    # the speed point ran after the training points, alone, with every core, and measured each row's memory in its own
    # process
    speed = json.loads((out.parent / 'speed' / 'speed-seed0.metrics.json').read_text())
    assert _png_outputs(out.parent / 'speed' / 'speed-seed0.ipynb') >= 2
    assert _png_outputs(out.parent / 'speed' / 'table.ipynb', 'table_figures') >= 1
    assert speed['machine']['omp_num_threads'] == str(os.cpu_count())
    mem = speed['metrics']['speed']['memory']
    assert mem['student_b32']['working_mb'] > 0 and mem['detector']['peak_mb'] > mem['detector']['baseline_mb'] > 0, mem
    speed_table = (out.parent / 'speed' / 'table.md').read_text()
    assert all(row in speed_table for row in ('working_mb', 'student (PyTorch)', 'speed-up: student (PyTorch)'))
    # a second run skips every finished grid point; every invocation is kept in the history
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and '0 done, 5 skipped' in proc.stdout, proc.stdout[-2000:]
    # --runs keeps the named grid points only
    proc = subprocess.run(cmd + ['--runs', 'student-small'], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=600)
    assert proc.returncode == 0 and '0 done, 1 skipped' in proc.stdout, proc.stdout[-2000:]
    (out / 'table.md').unlink()
    proc = subprocess.run(cmd + ['--tables-only'], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and '0 done, 0 skipped' in proc.stdout and (out / 'table.md').read_text() == table
    history = json.loads((out.parent / 'reproduce_history.json').read_text())['runs']
    assert [r['counts']['done'] for r in history] == [5, 0, 0, 0] and history[-1]['tables_only']
    # --check: every report current -> 0; a missing report -> 1, listed
    check = cmd + ['--check']
    proc = subprocess.run(check, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and 'every report is current' in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]
    (out / 'student-small-seed0.metrics.json').unlink()
    proc = subprocess.run(check, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert 'synthetic-tiny/main/student-small-seed0: missing' in proc.stdout, proc.stdout[-2000:]


def test_reproduce_check_lists_missing_failed_and_stale_reports(tmp_path):
    "`fast-aed reproduce --check` runs nothing: it lists missing, failed and stale reports (exit 1); all current: 0."
    env = _env(tmp_path)
    reports = tmp_path / 'reports'
    cmd = ['fast-aed', 'reproduce', 'main', '--preset', 'tiny', '--seeds', '1', '--reports', str(reports), '--check']
    finish = f"""
import sys
from pathlib import Path
from fast_aed.core import config_hash, save_json
from fast_aed.reproduce import grid_points, code_version
out = Path({str(reports)!r}) / 'synthetic-tiny' / 'main'
out.mkdir(parents=True, exist_ok=True)
for p in grid_points(['main'], 'synthetic', '', 'tiny', 1):
    version = sys.argv[1] if p['name'] == 'student-s2d-seed0' else code_version()
    key = config_hash({{'params': p['params'], 'code': code_version()}})
    save_json({{'grid_key': key, 'code_version': version}}, out / (p['name'] + '.metrics.json'))
    (out / (p['name'] + '.ipynb')).write_text('{{}}')
"""
    run = lambda c: subprocess.run(c, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    proc = run(cmd)
    assert proc.returncode == 1 and proc.stdout.count(': missing') == 4, proc.stdout + proc.stderr
    assert run([sys.executable, '-c', finish, 'current']).returncode == 0
    proc = run(cmd)
    # 'current' is not the library's version
    assert proc.returncode == 1 and 'student-s2d-seed0: at code version current' in proc.stdout
    # an empty version is another one too
    assert run([sys.executable, '-c', finish, '']).returncode == 0 and run(cmd).returncode == 1
    out = reports / 'synthetic-tiny' / 'main'
    version = json.loads((out / 'student-base-seed0.metrics.json').read_text())['code_version']
    assert run([sys.executable, '-c', finish, version]).returncode == 0
    proc = run(cmd)
    assert proc.returncode == 0 and 'every report is current' in proc.stdout, proc.stdout + proc.stderr
    (out / 'student-base-seed0.error.txt').write_text('exit code: 1')   # its last run failed
    (out / 'student-small-seed0.metrics.json').unlink()
    proc = run(cmd)
    assert proc.returncode == 1 and 'student-base-seed0: failed on its last run' in proc.stdout
    assert 'student-small-seed0: missing' in proc.stdout
