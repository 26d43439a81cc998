"Integration tests of the built-in synthetic benchmark (`fast-aed data synth`)."
import json, os, subprocess
from pathlib import Path
import numpy as np
import pytest
from fast_aed.synth import KINDS, plan_benchmark, stage_video


def run_cli(*args, check=True):
    "Run the installed console script and return the completed process."
    proc = subprocess.run(['fast-aed', *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, 'FAST_AED_QUIET': '1'})
    if check and proc.returncode:
        raise AssertionError(f'fast-aed {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "The tiny preset rendered once by the CLI (seed 0)."
    out = tmp_path_factory.mktemp('synth') / 'tiny'
    run_cli('data', 'synth', '--out', str(out), '--preset', 'tiny', '--seed', '0')
    return out


def _frame_bytes(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob('*'))
            if p.is_file() and p.name != 'dataset.json'}


def test_cli_renders_canonical_layout(tiny):
    meta = json.loads((tiny / 'dataset.json').read_text())
    assert meta['name'] == 'synth-tiny' and meta['format_version'] == 1 and meta['fps'] == 25
    assert len(meta['train']) == 2 and len(meta['test']) == 2
    for v in meta['train'] + meta['test']:
        assert (v['width'], v['height']) == (320, 180)
        split = 'train' if v in meta['train'] else 'test'
        assert len(list((tiny / split / v['video'] / 'frames').glob('*.jpg'))) == v['frames']
    for v in meta['test']:
        d = tiny / 'test' / v['video']
        assert (d / 'labels.npy').exists() and (d / 'tracks.csv').read_text().startswith('track_id,frame,x1,y1,x2,y2')
        assert (d / 'events.json').exists() and v['has_masks']
    assert not Path(str(tiny) + '.partial').exists()


def test_data_info_json(tiny):
    info = json.loads(run_cli('data', 'info', str(tiny), '--json').stdout)
    assert [v['video'] for v in info['test']] == ['01_001', '02_001']
    for v in info['test']:
        assert 0 < len(v['abnormal_frames']) < v['frames'] and v['tracks'] >= 1


def test_labels_match_masks_and_tracks(tiny):
    from fast_aed.data import load_dataset, read_labels, read_masks, read_tracks, read_events
    ds = load_dataset(tiny)
    for rec in ds.test:
        lab, msk, tr, ev = read_labels(rec), read_masks(rec), read_tracks(rec), read_events(rec)
        assert np.array_equal(lab, msk.any(axis=(1, 2)).astype(np.uint8)), rec.name   # abnormal iff mask non-empty
        assert lab[0] == 0 and lab[-1] == 0 and lab.sum() > 0                         # normal stretches around events
        assert {int(e['track_id']) for e in ev} == set(tr[:, 0].tolist())
        # each box holds mask pixels on its border rows
        for tid, t, x1, y1, x2, y2 in tr:
            assert msk[t, y1:y2 + 1, x1:x2 + 1].any() and x1 <= x2 and y1 <= y2
        assert set(e['kind'] for e in ev) <= set(KINDS)


def test_deterministic(tiny, tmp_path):
    run_cli('data', 'synth', '--out', str(tmp_path / 'again'), '--preset', 'tiny', '--seed', '0')
    assert _frame_bytes(tmp_path / 'again') == _frame_bytes(tiny)
    run_cli('data', 'synth', '--out', str(tmp_path / 'other'), '--preset', 'tiny', '--seed', '1')
    a, b = _frame_bytes(tmp_path / 'other'), _frame_bytes(tiny)
    assert a['train/01_001/frames/000010.jpg'] != b['train/01_001/frames/000010.jpg']


def test_overwrite_and_bad_input(tiny, tmp_path):
    proc = run_cli('data', 'synth', '--out', str(tiny), '--preset', 'tiny', check=False)
    assert proc.returncode == 2 and 'already exists' in proc.stderr
    proc = run_cli('data', 'synth', '--out', str(tmp_path / 'neg'), '--seed', '-3', check=False)
    assert proc.returncode == 2 and 'seed' in proc.stderr and not (tmp_path / 'neg').exists()
    out = tmp_path / 'again'
    run_cli('data', 'synth', '--out', str(out), '--seed', '2')
    first = (out / 'train' / '01_001' / 'frames' / '000005.jpg').read_bytes()
    run_cli('data', 'synth', '--out', str(out), '--seed', '3', '--overwrite')
    assert (out / 'train' / '01_001' / 'frames' / '000005.jpg').read_bytes() != first
    assert json.loads((out / 'dataset.json').read_text())['source']['seed'] == 3


def test_standard_plan_covers_every_kind():
    plan = plan_benchmark('standard', seed=0)
    tests = [v for v in plan['videos'] if v['split'] == 'test']
    assert len(tests) == 12 and all(not v['kinds'] for v in plan['videos'] if v['split'] == 'train')
    staged = {}
    for v in tests:   # simulate (no rendering) to see what is actually staged
        _, _, events = stage_video(plan, v)
        assert events, v['name']
        for kind in {e['kind'] for e in events}:
            staged[kind] = staged.get(kind, 0) + 1
        assert all(24 <= e['start'] <= e['end'] < 176 for e in events)
    assert set(staged) == set(KINDS), staged
