"Integration tests of benchmarks injected into footage (`fast-aed data inject`)."
import json, os, subprocess
from pathlib import Path
import numpy as np
import pytest
from fast_aed.inject import DEFAULT_KINDS, write_demo_footage


def run_cli(*args, check=True):
    "Run the installed console script and return the completed process."
    proc = subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, 'FAST_AED_QUIET': '1'})
    if check and proc.returncode:
        raise AssertionError(f'fast-aed {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


@pytest.fixture(scope='module')
def footage(tmp_path_factory):
    "A rendered fixed-camera clip of people walking (240 frames at 10 fps)."
    return write_demo_footage(tmp_path_factory.mktemp('footage') / 'walkway.avi', n_frames=240, seed=3)


@pytest.fixture(scope='module')
def injected(footage, tmp_path_factory):
    "The clip injected by the CLI with its default kinds, cut into clips of 48 frames."
    out = tmp_path_factory.mktemp('inject') / 'bench'
    proc = run_cli('data', 'inject', '--footage', footage, '--out', out, '--seed', 7, '--clip-frames', 48)
    return out, proc.stdout


def test_cli_writes_canonical_layout(injected, footage):
    out, stdout = injected
    assert '3 train videos (144 frames)' in stdout and '2 test videos (96 frames)' in stdout
    meta = json.loads((out / 'dataset.json').read_text())
    assert [v['video'] for v in meta['train']] == ['walkway_001', 'walkway_002', 'walkway_003']
    assert [v['video'] for v in meta['test']] == ['walkway_001', 'walkway_002']
    src = meta['source']['footage'][0]
    assert src['file'] == str(Path(footage).absolute()) and src['fingerprint']['size'] == Path(footage).stat().st_size
    assert src['train_frames'] == [0, 144] and meta['source']['settings']['seed'] == 7
    assert meta['label_source']['kind'] == 'composited' and meta['fps'] == 10
    placed = set(meta['incidents_per_kind']) | set(src['unplaced_kinds'])
    assert placed == set(DEFAULT_KINDS) and len(meta['incidents_per_kind']) >= 2   # short clips cannot host every kind


def test_loads_and_labels_match(injected):
    from fast_aed.data import load_dataset, read_labels, read_masks, read_tracks, read_events
    ds = load_dataset(injected[0])
    assert len(ds.train) == 3 and len(ds.test) == 2
    for rec in ds.test:
        lab, msk, tr, ev = read_labels(rec), read_masks(rec), read_tracks(rec), read_events(rec)
        assert np.array_equal(lab, msk.any(axis=(1, 2)).astype(np.uint8))
        assert {e['track_id'] for e in ev} == set(tr[:, 0].tolist())
        for tid, t, x1, y1, x2, y2 in tr:
            # tight boxes: mask pixels on their edges
            assert msk[t, y1, x1:x2 + 1].any() and msk[t, y2, x1:x2 + 1].any()
        for e in ev:
            assert lab[e['start']] == 1 and lab[e['end']] == 1 and e['kind'] in DEFAULT_KINDS


def test_data_info(injected):
    info = json.loads(run_cli('data', 'info', injected[0], '--json').stdout)
    assert [v['video'] for v in info['test']] == ['walkway_001', 'walkway_002']
    assert sum(len(v['abnormal_frames']) for v in info['test']) > 0


def test_bad_footage_is_refused(tmp_path):
    bad = tmp_path / 'notes.avi'
    bad.write_text('not a video')
    proc = run_cli('data', 'inject', '--footage', bad, '--out', tmp_path / 'x', check=False)
    assert proc.returncode == 2 and proc.stderr.strip().startswith('fast-aed: error:') and 'notes.avi' in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / 'x').exists()
    proc = run_cli('data', 'inject', '--footage', bad, '--out', tmp_path / 'x', '--kinds', 'dancing', check=False)
    assert proc.returncode == 2 and 'dancing' in proc.stderr
