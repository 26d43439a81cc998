"Integration tests of teacher A on the tiny synthetic benchmark with motion detections."
import os
import numpy as np, pytest, torch
os.environ.setdefault('FAST_AED_QUIET', '1')
from fast_aed.core import FastAedError
from fast_aed.synth import render_benchmark
from fast_aed.data import load_dataset
from fast_aed.detect import detect_dataset, MotionDetector
from fast_aed.teacher_a import TeacherA, TeacherAConfig

TINY = dict(crop_size=32, widths=(8, 8, 8), clf_width=8, ae_epochs=2, clf_epochs=2, batch_size=16,
            max_crops_per_video=24, n_background=4, device='cpu')


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp('tA')
    ds = load_dataset(render_benchmark(root / 'data', 'tiny', seed=0))
    dets = detect_dataset(ds, MotionDetector(), root / 'work')
    return ds, dets, root


def test_fit_score_and_load(bench):
    ds, dets, root = bench
    path = TeacherA(TeacherAConfig(**TINY)).fit(ds, dets, root / 'A', seed=0)
    assert path == root / 'A' / 'model.pt' and path.exists()
    t = TeacherA.load(path)
    assert t.manifest['seed'] == 0 and t.manifest['config']['crop_size'] == 32
    for rec in ds.test:
        s = t.score_video(rec, dets)
        assert s.shape == (len(dets[('test', rec.name)].frame),) and s.dtype == np.float32
        assert np.isfinite(s).all() and ((s >= 0) & (s <= 1)).all()


def test_resume_after_interruption(bench):
    ds, dets, root = bench
    def stop(stage, epoch):
        if (stage, epoch) == ('ae', 1):
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        TeacherA(TeacherAConfig(**TINY)).fit(ds, dets, root / 'B', seed=0, callback=stop)
    ck = torch.load(root / 'B' / 'model.pt', weights_only=True)
    assert (ck['stage'], ck['epoch']) == ('ae', 1)          # the interrupted run left a checkpoint
    with pytest.raises(FastAedError, match='incomplete'):
        TeacherA.load(root / 'B' / 'model.pt')
    seen = []
    TeacherA(TeacherAConfig(**TINY)).fit(ds, dets, root / 'B', seed=0, callback=lambda s, e: seen.append((s, e)))
    assert seen == [('ae', 2), ('clf', 1), ('clf', 2)]     # resumed, epoch 1 not repeated
    t = TeacherA.load(root / 'B' / 'model.pt')
    rec = ds.test[0]
    assert len(t.score_video(rec, dets)) == len(dets[('test', rec.name)].frame)


def test_bad_checkpoint_and_inputs(bench, tmp_path):
    ds, dets, _ = bench
    with pytest.raises(FastAedError, match='nope.pt'):
        TeacherA.load(tmp_path / 'nope.pt')
    (tmp_path / 'bad.pt').write_text('garbage')
    with pytest.raises(FastAedError, match='bad.pt'):
        TeacherA.load(tmp_path / 'bad.pt')
    with pytest.raises(FastAedError, match='motion'):
        TeacherAConfig(motion='xyz').check()
    with pytest.raises(FastAedError, match='no detections'):
        TeacherA(TeacherAConfig(**TINY)).fit(ds, {}, tmp_path / 'C')
