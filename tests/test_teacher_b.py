"Integration tests of teacher B (SSMTL/SSMTL++) on the tiny synthetic benchmark with motion detections."
import os
os.environ.setdefault('FAST_AED_QUIET', '1')
import numpy as np, pytest, torch
from fast_aed.core import FastAedError
from fast_aed.synth import render_benchmark
from fast_aed.data import load_dataset
from fast_aed.detect import detect_dataset, MotionDetector
from fast_aed.teacher_b import TeacherB, TeacherBConfig

TINY = dict(crop=16, depth=2, width=4, head_hidden=16, epochs=1, batch=32, max_tubes_per_video=60,
            norm_tubes_per_video=20, device='cpu')

@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp('teacher_b')
    ds = load_dataset(render_benchmark(root / 'data', 'tiny', seed=0))
    dets = detect_dataset(ds, MotionDetector(), root / 'work')
    return ds, dets, root

def test_fit_resume_score(bench):
    ds, dets, root = bench
    out = root / 'work' / 'teachers' / 'B'
    t1 = TeacherB(TeacherBConfig(**TINY)).fit(ds, dets, out, seed=0)
    assert (out / 'model.pt').exists() and [l['epoch'] for l in t1.log] == [1]
    # resume: a second epoch continues from the checkpoint instead of starting again
    t2 = TeacherB(TeacherBConfig(**{**TINY, 'epochs': 2})).fit(ds, dets, out, seed=0)
    assert [l['epoch'] for l in t2.log] == [1, 2] and t2.log[0] == t1.log[0]
    # and equals an uninterrupted two-epoch run
    t3 = TeacherB(TeacherBConfig(**{**TINY, 'epochs': 2})).fit(ds, dets, root / 'fresh', seed=0)
    for (k, a), b in zip(t2.net.state_dict().items(), t3.net.state_dict().values()):
        assert torch.allclose(a.float(), b.float(), atol=1e-5), k
    loaded = TeacherB.load(out / 'model.pt')
    assert loaded.config.epochs == 2 and loaded.manifest['seed'] == 0
    for rec in ds.test:
        d = dets[('test', rec.name)]
        s = loaded.score_video(rec, dets)
        assert s.shape == (len(d.frame),) and s.dtype == np.float32 and np.isfinite(s).all() and (s >= 0).all()
    np.testing.assert_allclose(loaded.score_video(ds.test[0], dets), t2.score_video(ds.test[0], dets),
                               rtol=1e-5, atol=1e-6)

def test_errors(bench, tmp_path):
    ds, dets, root = bench
    with pytest.raises(FastAedError, match='nope.pt'):
        TeacherB.load(tmp_path / 'nope.pt')
    (tmp_path / 'junk.pt').write_text('junk')
    with pytest.raises(FastAedError, match='junk.pt'):
        TeacherB.load(tmp_path / 'junk.pt')
    with pytest.raises(FastAedError, match='no detections'):
        TeacherB(TeacherBConfig(**TINY)).fit(ds, {}, tmp_path / 'x')
    with pytest.raises(FastAedError, match='not trained'):
        TeacherB().score_video(ds.test[0], dets)
