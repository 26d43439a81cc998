"`--config NAME|FILE|JSON` and `--print-config` through the `fast-aed` console script: checked before any work."
import json, os, subprocess
import pytest, torch, yaml

from fast_aed.synth import render_benchmark
from fast_aed.data import load_dataset
from fast_aed.maps import build_teacher_maps
from fast_aed.config import read_config

ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'FAST_AED_QUIET': '1'}
TINY = {"input_size": [64, 48], "width": 4, "n_down": 2, "depth": 1, "heads": 1, "dim_head": 8, "batch_size": 16,
        "frame_stride": 4, "val_fraction": 0.2, "epochs": 1, "ae_epochs": 1}


def run_cli(*args):
    return subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=600, env=ENV)


def assert_one_line_error(proc, *words):
    "Exit status 2, one line on stderr naming `words`, no traceback."
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith('fast-aed: error: '), proc.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return render_benchmark(tmp_path_factory.mktemp('config') / 'data', 'tiny', seed=0)


def test_run_refuses_an_unknown_section_before_any_work(data):
    p = run_cli('run', data, '--config', '{"studnet": {}}')
    assert_one_line_error(p, "unknown section 'studnet'", "did you mean 'student'?")
    assert not (data / 'work').exists()   # no detection, no teacher: nothing was written


@pytest.mark.parametrize('config, words', [
    ('{"student": {"epochs": true}}', ['section student', 'epochs: expected an integer or null, got True']),
    ('{"student": {"epochs": -3}}', ['epochs: must be >= 0, got -3']),
    ('{"student": {"stem": "s2d", "stem_stride": 3}}', ['section student', 'stem_stride must be 1 or 2']),
    ('{"student": ', ['--config (inline JSON): not valid JSON']),
])
def test_run_checks_every_section_before_any_work(data, config, words):
    assert_one_line_error(run_cli('run', data, '--config', config), *words)
    assert not (data / 'work').exists()


def test_config_files(data, tmp_path):
    (tmp_path / 'bad.yaml').write_text('epochs: 2\n  lr: 1\n')
    bad = run_cli('train', data, '--config', tmp_path / 'bad.yaml')
    assert_one_line_error(bad, 'bad.yaml: not valid YAML at line 2')
    assert_one_line_error(run_cli('train', data, '--config', tmp_path / 'missing.yaml'), 'missing.yaml: file not found')
    (tmp_path / 'mine.yml').write_text('width: 4\nkd_focus: 2\n')
    out = yaml.safe_load(run_cli('train', '--print-config', '--config', tmp_path / 'mine.yml', '--epochs', '3').stdout)
    assert (out['width'], out['kd_focus'], out['epochs']) == (4, 2, 3)   # the file, then the flags


@pytest.mark.parametrize('command', [['train'], ['teachers', 'fit'], ['reproduce'], ['bench']])
def test_every_command_checks_its_config(data, command):
    config = '{"A": {"ae_epochs": "two"}}' if command == ['teachers', 'fit'] else '{"ae_epochs": "two"}'
    extra = [data] if command[0] in ('train', 'teachers') else []
    assert_one_line_error(run_cli(*command, *extra, '--config', config), "ae_epochs: expected an integer, got 'two'")
    assert not (data / 'work').exists()


def test_train_print_config_of_the_best_student():
    p = run_cli('train', '--print-config', '--config', 'student-s2d-t1-focus-best3')
    assert p.returncode == 0, p.stderr
    cfg = yaml.safe_load(p.stdout)
    assert cfg['input_size'] == [320, 176] and cfg['stem'] == 's2d' and cfg['stem_stride'] == 2
    assert cfg['offsets'] == [0, -1, 1] and cfg['kd_focus'] == 9.0 and cfg['best_of'] == 3
    assert cfg['teachers'] == ['B'] and cfg['motion_input'] == 'differences'   # the fields left out: the defaults
    named = read_config('student-s2d-t1-focus-best3')[0]
    assert {k: cfg[k] for k in named} == named


def test_print_config_of_run_presets():
    p = run_cli('run', '--print-config', '--config', 'run-paper')
    cfg = yaml.safe_load(p.stdout)
    assert p.returncode == 0 and set(cfg) == {'A', 'B', 'student'}
    assert cfg['A']['temporal_offset'] == 5 and cfg['B']['use_cvt'] is True and cfg['student']['teachers'] == ['A', 'B']
    p = run_cli('run', '--print-config', '--config', 'run-paper', '--fit', 'B', '--distil', 'B')
    cfg = yaml.safe_load(p.stdout)
    assert set(cfg) == {'B', 'student'} and cfg['student']['teachers'] == ['B']
    cfg = yaml.safe_load(run_cli('teachers', 'fit', '--print-config', '--teacher', 'A', '--paper-scale').stdout)
    assert set(cfg) == {'A'} and cfg['A']['ae_epochs'] == 20


def test_train_distil_names_the_teachers(tmp_path):
    data = render_benchmark(tmp_path / 'data', 'tiny', seed=0)
    ds = load_dataset(data)
    from test_student import fake_scores   # random person-sized boxes standing in for teacher A
    fake_scores(data / 'work', 'A', ds, 0)
    build_teacher_maps(ds, data / 'work', 'A', quiet=True)
    p = run_cli('train', data, '--distil', 'A', '--config', json.dumps(TINY))
    assert p.returncode == 0, p.stderr
    ck = torch.load(json.loads(p.stdout.strip().splitlines()[-1])['checkpoint'], map_location='cpu', weights_only=True)
    assert ck['config']['teachers'] == ['A']
    # the default distils B
    assert_one_line_error(run_cli('train', data, '--config', json.dumps(TINY)), 'maps/B/meta.json')
    assert_one_line_error(run_cli('train', data, '--teachers', 'A'), '--teachers was renamed', '--distil')
    assert_one_line_error(run_cli('run', data, '--teachers', 'A'), '--teachers was renamed', '--fit', '--distil')
