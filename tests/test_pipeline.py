"End-to-end integration: the whole pipeline on the tiny synthetic benchmark through the `fast-aed` CLI."
import json, subprocess
import numpy as np
from pathlib import Path
import pytest
from fast_aed.reproduce import TINY_OVERRIDES


def cli(*args):
    proc = subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (f'fast-aed {args} failed ({proc.returncode}):\n'
                                  f'{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc.stdout


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    data = tmp_path_factory.mktemp('pipe') / 'tiny'
    cli('data', 'synth', '--out', data, '--preset', 'tiny', '--seed', 0)
    cli('run', data, '--config', json.dumps(TINY_OVERRIDES))
    return data


def test_run_writes_every_stage(tiny_run):
    work = tiny_run / 'work'
    for path in ['teachers/A/model.pt', 'teachers/B/model.pt', 'student/student.pt', 'results.json',
                 'eval/student.json']:
        assert (work / path).exists(), path
    res = json.loads((work / 'results.json').read_text())
    assert {'config', 'seed', 'versions', 'git_revision'} <= set(res['manifest'])
    import hashlib, fast_aed
    for name, module in (('A', 'teacher_a.py'), ('B', 'teacher_b.py')):   # a teacher fit is keyed to its code too
        src = hashlib.sha1((Path(fast_aed.__file__).parent / module).read_bytes()).hexdigest()[:12]
        assert json.loads((work / 'teachers' / name / 'fit_info.json').read_text())['code'] == src


def test_eval_json_shape(tiny_run):
    res = json.loads(cli('eval', tiny_run, '--json', '--no-plots'))
    assert {'micro_auc', 'macro_auc', 'rbdc', 'tbdc', 'heads', 'conventions'} <= set(res)
    assert set(res['heads']) == {'S', 'M', 'L', 'MIX'}
    assert 0 <= res['micro_auc'] <= 1 and res['conventions']['head'] == 'MIX'


def test_teachers_eval_json_shape(tiny_run):
    res = json.loads(cli('teachers', 'eval', tiny_run, '--json'))
    assert {'A', 'B', 'ensemble', 'location', 'ensemble_location', 'fps'} <= set(res)
    for k in ('A', 'B', 'ensemble', 'location', 'ensemble_location'):
        assert {'micro_auc', 'macro_auc', 'rbdc', 'tbdc'} <= set(res[k])
        assert 0 <= res[k]['micro_auc'] <= 1
    assert res['fps']['detector'] > 0 and res['fps']['A'] > 0


def test_run_resumes_without_refitting(tiny_run):
    ckpt = tiny_run / 'work' / 'teachers' / 'A' / 'model.pt'
    before = ckpt.stat().st_mtime_ns
    cli('run', tiny_run, '--config', json.dumps(TINY_OVERRIDES))
    assert ckpt.stat().st_mtime_ns == before


def test_teacher_scores_follow_the_detections(tiny_run, tmp_path):
    "A teacher's cached object scores are reused only for the detections they score: changed boxes are scored again."
    import shutil
    from fast_aed.data import load_dataset
    from fast_aed.detect import Detections, load_dataset_detections
    from fast_aed.pipeline import score_teacher
    ds, work = load_dataset(tiny_run), tiny_run / 'work'
    det_keys = [p.name for p in (work / 'detections').iterdir() if p.is_dir()]
    assert len(det_keys) == 1, det_keys
    dets = load_dataset_detections(ds, work, det_keys[0], splits=('test',))
    # score a copy: the shared run stays as it was
    shutil.copytree(work / 'teachers' / 'B', tmp_path / 'teachers' / 'B')
    folder = tmp_path / 'teachers' / 'B'
    stamps = lambda: {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
                      for p in (folder / 'scores' / 'test').glob('*.npz')}
    before = stamps()
    assert len(before) == len(ds.test)
    score_teacher(ds, tmp_path, 'B', dets, splits=('test',))
    assert stamps() == before   # the same detections: every video's scores come from the cache
    video, d = next((k[1], v) for k, v in dets.items() if len(v) > 1)
    dets[('test', video)] = Detections(d.frame[1:], d.boxes[1:], d.conf[1:], d.cls[1:], n_frames=d.n_frames, key=d.key)
    score_teacher(ds, tmp_path, 'B', dets, splits=('test',))
    after = stamps()
    assert {k for k in before if after[k] != before[k]} == {f'scores/test/{video}.npz'}
    assert len(np.load(folder / 'scores' / 'test' / f'{video}.npz')['score']) == len(d) - 1


def test_eval_without_student_names_the_file(tmp_path):
    data = tmp_path / 'd'
    cli('data', 'synth', '--out', data, '--preset', 'tiny', '--seed', 1)
    proc = subprocess.run(['fast-aed', 'eval', str(data), '--json'], capture_output=True, text=True)
    assert proc.returncode == 2 and 'student.pt' in proc.stderr
