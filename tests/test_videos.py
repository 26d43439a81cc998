"""Own footage end to end: `fast-aed data prepare videos` (unlabelled, labelled, bad input), `fast-aed run` with
labels, and the tutorial (prepare, run without labels, score) under papermill."""
import json, subprocess
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from fast_aed.reproduce import TINY_OVERRIDES
from fast_aed.videos import write_demo_video

ROOT = Path(__file__).resolve().parents[1]
TINY = json.dumps(TINY_OVERRIDES)


def cli(*args):
    return subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=900)


def ok(*args):
    proc = cli(*args)
    assert proc.returncode == 0, (f'fast-aed {args} failed ({proc.returncode}):\n'
                                  f'{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc.stdout


@pytest.fixture(scope='module')
def footage(tmp_path_factory):
    "A rendered 120-frame camera video (10 fps) with a fast rider in frames 90..100; its first 60% trains."
    d = tmp_path_factory.mktemp('own')
    write_demo_video(d / 'plaza.avi', n_frames=120, anomaly=(90, 100))
    return d


def prepare(footage, out, *extra):
    video = footage / 'plaza.avi'
    return ok('data', 'prepare', 'videos', '--train', video, '--test', video, '--train-fraction', 0.6, '--out', out,
              *extra)


def test_prepare_unlabelled(footage, tmp_path):
    text = prepare(footage, tmp_path / 'ds')
    assert 'unlabelled' in text and 'student input 128x96, offsets [0, -1, 1]' in text
    meta = json.loads((tmp_path / 'ds' / 'dataset.json').read_text())
    test = meta['test'][0]
    got = (meta['train'][0]['frames'], test['frames'], test['source_start'], test['labelled'], test['scene'])
    assert got == (72, 48, 72, False, 'plaza')
    assert meta['fps'] == 10 and meta['footage']['motion']['bg_window'] == 120
    assert not (tmp_path / 'ds' / 'test' / 'plaza' / 'labels.npy').exists()
    info = json.loads(ok('data', 'info', tmp_path / 'ds', '--json'))
    assert info['test'][0]['abnormal_frames'] is None


def test_prepare_labelled_masks(footage, tmp_path):
    import cv2
    (tmp_path / 'masks' / 'plaza').mkdir(parents=True)
    m = np.zeros((144, 192), np.uint8)
    m[60:80, 20:60] = 255
    for f in (95, 96):
        cv2.imwrite(str(tmp_path / 'masks' / 'plaza' / f'{f}.png'), m)
    prepare(footage, tmp_path / 'ds', '--masks', tmp_path / 'masks', '--size', '96x72')
    info = json.loads(ok('data', 'info', tmp_path / 'ds', '--json'))['test'][0]
    assert (info['abnormal_frames'], info['tracks'], info['width']) == ([23, 24], 1, 96)


BAD = {   # name -> (files to write, extra prepare arguments, words the error must hold)
    'unreadable video': ({'junk.avi': b'not a video' * 50}, ['--test', '{d}/junk.avi', '--scene-of', 'name'],
                         ['junk.avi', 'unreadable video']),
    'truncated video': ({'cut.avi': 'cut'}, ['--test', '{d}/cut.avi', '--scene-of', 'name'],
                        ['cut.avi', 'truncated video']),
    'mixed resolutions': ({'plaza_small.avi': 'small'}, ['--test', '{d}/plaza_small.avi'],
                          ['plaza_small.avi', '96x72', 'share a resolution']),
    'unknown video in labels': ({'labels.csv': b'video,start_frame,end_frame\ngate,1,2\n'},
                                ['--labels', '{d}/labels.csv'], ['labels.csv:2', "unknown video 'gate'"]),
    'labels out of range': ({'labels.csv': b'plaza,100,130\n'}, ['--labels', '{d}/labels.csv'],
                            ['labels.csv:1', 'out of range', '0..119']),
    'labels on training footage': ({'labels.csv': b'plaza,10,80\n'}, ['--labels', '{d}/labels.csv'],
                                   ['labels.csv:1', 'training footage']),
    'missing file': ({}, ['--test', '{d}/nowhere.avi'], ['nowhere.avi', 'no such video']),
}


@pytest.mark.parametrize('case', sorted(BAD))
def test_prepare_bad_input(footage, tmp_path, case):
    files, extra, words = BAD[case]
    for name, content in files.items():
        if content == 'cut':
            data = (footage / 'plaza.avi').read_bytes()
            (tmp_path / name).write_bytes(data[:len(data) // 2])
        elif content == 'small':
            write_demo_video(tmp_path / name, n_frames=10, size=(96, 72))
        else:
            (tmp_path / name).write_bytes(content)
    video = footage / 'plaza.avi'
    args = ['data', 'prepare', 'videos', '--train', video, '--out', tmp_path / 'out',
            *(a.format(d=tmp_path) for a in extra)]
    if '--test' not in extra:
        args += ['--test', video, '--train-fraction', 0.6]
    proc = cli(*args)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith('fast-aed: error:'), proc.stderr[-2000:]
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert not (tmp_path / 'out').exists()


def test_run_labelled(footage, tmp_path):
    (tmp_path / 'labels.csv').write_text('video,start_frame,end_frame\nplaza,90,100\n')
    prepare(footage, tmp_path / 'ds', '--labels', tmp_path / 'labels.csv')
    out = ok('run', tmp_path / 'ds', '--config', TINY, '--speedup', 'none')
    assert 'footage setting input_size = [128, 96]' in out and 'student, head MIX' in out
    res = json.loads((tmp_path / 'ds' / 'work' / 'results.json').read_text())
    assert 0 <= res['student']['micro_auc'] <= 1 and res['teachers']['B']['micro_auc'] is not None
    assert res['footage']['offsets']['value'] == [0, -1, 1]
    assert res['manifest']['config']['footage']['input_size']['value'] == [128, 96]
    assert not (tmp_path / 'ds' / 'work' / 'scores').exists()


def test_tutorial_unlabelled(footage, tmp_path):
    "The tutorial's three commands (prepare, run, score) on the rendered video, with tiny epochs."
    import papermill as pm
    out = tmp_path / 'tut'
    pm.execute_notebook(str(ROOT / 'papermill_runs' / 'tutorial_own_camera.ipynb'), str(tmp_path / 'executed.ipynb'),
                        parameters={'videos': [str(footage / 'plaza.avi')], 'out': str(out), 'config': TINY,
                                    'speedup': 'none'},
                        cwd=str(tmp_path), kernel_name='python3', progress_bar=False)
    work = out / 'data' / 'work'
    res = json.loads((work / 'results.json').read_text())
    assert res['labelled'] is False and res['footage']['input_size']['value'] == [128, 96]
    scores = pd.read_csv(work / 'scores' / 'plaza' / 'scores.csv')
    assert scores['frame'].tolist() == list(range(72, 120))
    assert list(scores.columns) == ['frame', 'S', 'M', 'L', 'MIX', 'smoothed']
    for f in ('timeline.png', 'overlay.avi', 'summary.json'):
        assert (work / 'scores' / 'plaza' / f).stat().st_size > 0, f
    assert all(72 <= e['frame'] < 120 for e in res['scores']['plaza']['events'])
    summary = json.loads((out / 'tutorial_summary.json').read_text())
    assert summary['score']['frames'] == 120 and summary['score']['end_to_end_fps'] > 0
    assert set(summary['wall_seconds']) == {'prepare', 'run', 'score'}
    for png in ('frames_with_boxes.png', 'teacher_and_student_maps.png', 'timeline.png', 'strongest_events.png'):
        assert (out / png).exists(), png
