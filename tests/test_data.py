"The dataset layer end to end: `fast-aed data prepare` on fixtures of each official format, `data info`, errors."
import json, os, shutil, subprocess, warnings
from pathlib import Path

import cv2
import numpy as np
import pytest

from fast_aed.convert import write_fixture, load_mat, save_mat, prepare_dataset
from fast_aed.data import (dataset_info, load_dataset, read_masks, read_labels, read_tracks, FrameStackDataset,
                           DatasetWriter)
from fast_aed.core import FastAedError

ENV = {**os.environ, 'FAST_AED_QUIET': '1', 'OMP_NUM_THREADS': '1'}
REQUIRED_TEST_KEYS = ('video', 'frames', 'height', 'width', 'abnormal_frames', 'tracks')


def run_cli(*args):
    "Run the installed console script; return the completed process."
    return subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=300, env=ENV)


def prepare(kind, src, out, *extra):
    proc = run_cli('data', 'prepare', kind, '--src', src, '--out', out, *extra)
    assert proc.returncode == 0, f'prepare failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}'
    return proc


def info_json(out):
    proc = run_cli('data', 'info', out, '--json')
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def check_info(info, name, exp):
    "`data info --json` holds exactly the expected videos, in order, with the expected required fields."
    assert info['name'] == name
    assert set(info) >= {'name', 'train', 'test'}
    assert info['train'] == exp['train']          # train entries carry exactly video/frames/height/width
    assert [{k: v[k] for k in REQUIRED_TEST_KEYS} for v in info['test']] == exp['test']
    for v in info['test']:
        assert all(isinstance(i, int) for i in v['abnormal_frames']) and isinstance(v['tracks'], int)


def prepare_api(kind, src, out, **kw):
    "Convert through the library (faster than the CLI); official-count warnings silenced."
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return prepare_dataset(kind, src, out, quiet=True, **kw)


def assert_api_fails(kind, src, out, *needles, **kw):
    with pytest.raises(FastAedError) as e:
        prepare_api(kind, src, out, **kw)
    for n in needles:
        assert n in str(e.value), f'{n!r} not in {e.value}'
    assert not Path(out).exists() and not Path(str(out) + '.partial').exists()


def assert_failed_cleanly(proc, out, *needles):
    assert proc.returncode == 2, f'expected a user error, got {proc.returncode}:\n{proc.stdout}\n{proc.stderr}'
    assert proc.stderr.startswith('fast-aed: error:'), proc.stderr
    assert 'Traceback' not in proc.stderr
    for n in needles:
        assert n in proc.stderr, f'{n!r} not in {proc.stderr!r}'
    out = Path(out)
    assert not (out / 'dataset.json').exists() and not out.exists()


def test_avenue_official_v5_and_v73(tmp_path):
    exp = write_fixture('avenue', tmp_path / 'src')               # 1_label.mat, 3_label.mat: v5; 2_label.mat: v7.3
    (tmp_path / 'out.partial').mkdir()
    (tmp_path / 'out.partial/junk').write_text('stale')   # left by a failed run
    proc = prepare('avenue', tmp_path / 'src', tmp_path / 'out')
    # totals differ from the official ones: warnings only
    assert 'warning' in proc.stderr and 'official 16' in proc.stderr
    assert not (tmp_path / 'out.partial').exists()
    info = info_json(tmp_path / 'out')
    check_info(info, 'avenue', exp)
    assert [v['abnormal_frames'] for v in info['test']] == [[3, 4, 5, 6, 9, 10], list(range(10)), [2, 3, 4]]
    assert [v['tracks'] for v in info['test']] == [2, 1, 1]
    ds = load_dataset(tmp_path / 'out')
    assert ds.meta['label_source']['kind'] == 'pixel-masks'
    files = [f['file'] for f in ds.meta['label_source']['files']]
    assert files == [f'testing_label_mask/{i}_label.mat' for i in (1, 2, 3)]
    assert all(len(f['sha1']) == 40 for f in ds.meta['label_source']['files'])
    assert ds.meta['single_class_test_videos'] == ['02']
    for i, rec in enumerate(ds.test):                              # masks survive exactly, v5 and v7.3 alike
        mat = tmp_path / f'src/ground_truth_demo/testing_label_mask/{i + 1}_label.mat'
        cells = load_mat(mat)['volLabel'].reshape(-1)
        assert np.array_equal(read_masks(rec), np.stack([c > 0 for c in cells]))
    x = FrameStackDataset(ds.test)[0]['x']
    assert tuple(x.shape) == (9, 36, 64) and float(x.min()) >= -1 and float(x.max()) < 1
    table = run_cli('data', 'info', tmp_path / 'out').stdout
    assert 'test' in table and '03' in table and '6 (42.9%)' in table
    # an existing complete dataset is refused without overwrite and replaced with it
    with pytest.raises(FastAedError, match='already exists'):
        prepare_api('avenue', tmp_path / 'src', tmp_path / 'out')
    # ROOT itself works too
    prepare_api('avenue', tmp_path / 'src' / 'Avenue Dataset', tmp_path / 'out', overwrite=True)
    assert dataset_info(tmp_path / 'out')['test'] == info['test']


@pytest.mark.parametrize('schema', ['gt', 'vectors'])
def test_avenue_anopred(tmp_path, schema):
    exp = write_fixture('avenue', tmp_path / 'src', layout='anopred', label_schema=schema)
    info = dataset_info(prepare_api('avenue', tmp_path / 'src', tmp_path / 'out'))
    check_info(info, 'avenue', exp)
    assert info['test'][0]['abnormal_frames'] == [3, 4, 5, 6, 7, 8, 9, 10]
    src = load_dataset(tmp_path / 'out').meta['label_source']
    assert src['file'] == 'avenue.mat'
    assert src['schema'] == ('gt-intervals-f1' if schema == 'gt' else 'per-video-vectors')


def test_shanghaitech_aed_tracks_and_derived(tmp_path):
    exp = write_fixture('shanghaitech', tmp_path / 'src', tracks=True)
    prepare('shanghaitech', tmp_path / 'src', tmp_path / 'out', '--tracks', tmp_path / 'src/aed_tracks')
    info = info_json(tmp_path / 'out')
    check_info(info, 'shanghaitech', exp)
    assert [v['video'] for v in info['test']] == ['01_0014', '04_0011']
    assert [v['tracks'] for v in info['test']] == [2, 1]
    tr = read_tracks(load_dataset(tmp_path / 'out').test[0])
    assert tr[:, :2].tolist() == [[0, 4], [0, 5], [0, 6], [0, 7], [0, 8], [1, 5], [1, 6]]
    # without --tracks, tracks come from the pixel masks
    prepare_api('shanghaitech', tmp_path / 'src/shanghaitech', tmp_path / 'out2')
    assert [v['tracks'] for v in dataset_info(tmp_path / 'out2')['test']] == [1, 1]


@pytest.mark.parametrize('layout', ['official', 'anopred'])
def test_ped2(tmp_path, layout):
    exp = write_fixture('ped2', tmp_path / 'src', layout=layout)
    if layout == 'official':
        prepare('ped2', tmp_path / 'src', tmp_path / 'out')
        info = info_json(tmp_path / 'out')
    else:
        info = dataset_info(prepare_api('ped2', tmp_path / 'src', tmp_path / 'out'))
    check_info(info, 'ped2', exp)
    ds = load_dataset(tmp_path / 'out')
    assert ds.channels == 'gray'
    if layout == 'official':
        assert [v['tracks'] for v in info['test']] == [1, 1]
        assert ds.meta['label_source']['file'] == 'Test/UCSDped2.m'
        assert all(e['mask_label_disagreements'] == 0 for e in ds.meta['test'])


def test_error_mask_count_mismatch_v73(tmp_path):
    write_fixture('avenue', tmp_path / 'src')
    p = tmp_path / 'src/ground_truth_demo/testing_label_mask/2_label.mat'
    cells = list(load_mat(p)['volLabel'].reshape(-1))
    save_mat(p, {'volLabel': cells[:-2]}, '7.3')
    assert_failed_cleanly(run_cli('data', 'prepare', 'avenue', '--src', tmp_path / 'src', '--out', tmp_path / 'out'),
                          tmp_path / 'out', '2_label.mat', '02.avi', '10 frames decoded, 8 expected')
    assert not (tmp_path / 'out.partial').exists()


def test_error_missing_frame_and_bad_masks(tmp_path):
    write_fixture('ped2', tmp_path / 'src')
    test = tmp_path / 'src/UCSD_Anomaly_Dataset.v1p2/UCSDped2/Test'
    (test / 'Test002_gt/frame005.bmp').unlink()
    assert_api_fails('ped2', tmp_path / 'src', tmp_path / 'out', 'Test002_gt', 'missing frames [5]')
    shutil.rmtree(test / 'Test002_gt')
    (test / 'Test001/007.tif').unlink()
    assert_api_fails('ped2', tmp_path / 'src', tmp_path / 'out', 'Test001: missing frames [7]')


def test_error_corrupt_video(tmp_path):
    write_fixture('avenue', tmp_path / 'src')
    (tmp_path / 'src/Avenue Dataset/training_videos/02.avi').write_bytes(b'\x00garbage' * 64)
    assert_api_fails('avenue', tmp_path / 'src', tmp_path / 'out', '02.avi', 'unreadable video')
    # parallel writers too
    assert_api_fails('avenue', tmp_path / 'src', tmp_path / 'out', '02.avi', 'unreadable video', workers=3)


def test_error_label_lengths(tmp_path):
    write_fixture('shanghaitech', tmp_path / 'src')
    np.save(tmp_path / 'src/shanghaitech/testing/test_frame_mask/04_0011.npy', np.zeros(7, np.uint8))
    assert_api_fails('shanghaitech', tmp_path / 'src', tmp_path / 'out', '04_0011.npy', '7 labels for 8 frames')
    write_fixture('ped2', tmp_path / 'p2', layout='anopred')
    # video 02 has 9 frames
    save_mat(tmp_path / 'p2/ped2/ped2.mat', {'gt': [np.array([[1], [12]]), np.array([[1], [10]])]}, '5')
    assert_api_fails('ped2', tmp_path / 'p2', tmp_path / 'out', 'ped2.mat', 'ends after the last frame 9')


def test_error_messages_without_layout_or_dataset(tmp_path):
    (tmp_path / 'empty').mkdir()
    assert_api_fails('shanghaitech', tmp_path / 'empty', tmp_path / 'out', 'no ShanghaiTech layout')
    proc = run_cli('data', 'info', tmp_path / 'empty', '--json')
    assert proc.returncode == 2 and 'dataset.json' in proc.stderr


def test_writer_contract(tmp_path):
    "DatasetWriter validates counts and leaves nothing complete-looking on failure."
    with pytest.raises(FastAedError, match='labels for 4 frames'):
        with DatasetWriter(tmp_path / 'd') as w:
            w.add_video('test', 'a', np.zeros((4, 8, 8, 3), np.uint8), labels=[0, 1, 0])
    assert not (tmp_path / 'd').exists() and not (tmp_path / 'd.partial').exists()
    with DatasetWriter(tmp_path / 'd') as w:
        w.add_video('train', 'a', np.zeros((3, 8, 8, 3), np.uint8))
        w.add_video('test', 'b', (np.full((8, 8), 9 * t, np.uint8) for t in range(5)), labels=[0, 0, 1, 1, 0],
                    tracks=np.array([[3, 2, 1, 1, 4, 4], [3, 3, 1, 1, 4, 5]]))
        w.finish('mini', fps=10, channels='gray')
    ds = load_dataset(tmp_path / 'd', verify=True)
    assert read_labels(ds.test[0]).tolist() == [0, 0, 1, 1, 0] and ds.test[0].tracks == 1
    assert read_tracks(ds.test[0]).tolist() == [[3, 2, 1, 1, 4, 4], [3, 3, 1, 1, 4, 5]]


def test_error_truncated_video(tmp_path):
    "A training video cut in half decodes without complaint in OpenCV; the converter refuses it, naming both counts."
    write_fixture('avenue', tmp_path / 'src')
    p = tmp_path / 'src/Avenue Dataset/training_videos/02.avi'
    data = p.read_bytes()
    p.write_bytes(data[:len(data) // 2])
    proc = run_cli('data', 'prepare', 'avenue', '--src', tmp_path / 'src', '--out', tmp_path / 'out')
    assert_failed_cleanly(proc, tmp_path / 'out', '02.avi', 'truncated or damaged video',
                          'frames decoded, the container declares 12')
    assert not (tmp_path / 'out.partial').exists()


@pytest.mark.parametrize('ext', ['.jpg', '.png'])
def test_error_truncated_frame(tmp_path, ext):
    "A truncated source frame (OpenCV keeps a JPEG's lower half grey) is refused, naming the file."
    write_fixture('ped2', tmp_path / 'src', layout='anopred')
    d = tmp_path / 'src/ped2/testing/frames/02'
    if ext == '.png':                                   # the same video as PNG frames
        for f in sorted(d.glob('*.jpg')):
            cv2.imwrite(str(f.with_suffix('.png')), cv2.imread(str(f)))
            f.unlink()
    f = d / f'004{ext}'
    f.write_bytes(f.read_bytes()[:f.stat().st_size // 2])
    assert_api_fails('ped2', tmp_path / 'src', tmp_path / 'out', str(f), 'truncated or damaged')


def _split_flicker_masks(T, H, W, start):
    "Masks of one walking actor: two components (a 2-pixel gap at the waist) on two frames in three, none on two."
    m = np.zeros((T, H, W), np.uint8)
    for t in range(start, T):
        if t in (start + 3, start + 4):
            continue                      # the mask flickers off for two frames
        x = 4 + 2 * (t - start)
        m[t, 4:12, x:x + 7] = 255
        m[t, 12 + 2 * ((t - start) % 3 != 0):24, x + 1:x + 6] = 255   # legs: split off on two frames in three
    return m


def test_ped2_tracks_follow_split_and_flickering_masks(tmp_path):
    "Masks that split into two components and vanish for two frames give one track per actor (official Ped2 layout)."
    write_fixture('ped2', tmp_path / 'src')
    gt = tmp_path / 'src/UCSD_Anomaly_Dataset.v1p2/UCSDped2/Test/Test001_gt'
    masks = _split_flicker_masks(12, 32, 48, 3)
    assert sum(len(np.unique(cv2.connectedComponents((m > 0).astype(np.uint8))[1])) - 1 == 2 for m in masks) >= 4
    for t, m in enumerate(masks):
        cv2.imwrite(str(gt / f'{t + 1:03d}.bmp'), m)
    out = tmp_path / 'out'
    prepare('ped2', tmp_path / 'src', out)
    ds = load_dataset(out)
    assert [r.tracks for r in ds.test] == [1, 1]
    tr = read_tracks(ds.test[0])
    assert tr[:, 1].tolist() == [3, 4, 5, 8, 9, 10, 11]                # the flicker frames 6-7 have no box
    assert (tr[:, 3] == 4).all() and (tr[:, 5] == 23).all()           # each box holds both components
    assert ds.meta['label_source']['tracks']['kind'] == 'derived-from-pixel-masks'
    assert read_labels(ds.test[0]).tolist() == [0] * 5 + [1] * 7       # frame labels still from UCSDped2.m


def test_merl_tracks_for_ped2_and_avenue(tmp_path):
    "--tracks reads MERL track files (f1 names, centre/size boxes), keeping two tracks in one frame apart."
    for kind in ('ped2', 'avenue'):
        exp = write_fixture(kind, tmp_path / kind, tracks=True)
        out = tmp_path / f'{kind}_out'
        prepare(kind, tmp_path / kind, out, '--tracks', tmp_path / kind / 'merl_tracks')
        info = info_json(out)
        check_info(info, kind, exp)
        ds = load_dataset(out)
        src = ds.meta['label_source']
        assert src['tracks']['kind'] == 'merl-txt' and len(src['tracks']['files']) == len(ds.test)
        assert 'frame labels stay official' in src['tracks']['use']
    tr = read_tracks(load_dataset(tmp_path / 'ped2_out').test[0])
    assert tr[tr[:, 1] == 6, 0].tolist() == [0, 1]                      # two tracks in frame 6 (f0)
    assert tr[tr[:, 0] == 1, 4].tolist() == [47, 47]                    # a box past the right border, clipped


def test_merl_tracks_errors(tmp_path):
    write_fixture('ped2', tmp_path / 'src', tracks=True)
    merl = tmp_path / 'src/merl_tracks'
    (merl / 'Test002_gt.txt').rename(tmp_path / 'Test002_gt.txt')
    src, out = tmp_path / 'src', tmp_path / 'out'
    assert_api_fails('ped2', src, out, 'no track file for test video Test002', tracks_dir=merl)
    (tmp_path / 'Test002_gt.txt').rename(merl / 'Test002_gt.txt')
    (merl / 'Test003_gt.txt').write_text('001.jpg 0 5 5 4 4\n')
    assert_api_fails('ped2', src, out, 'not test videos here: Test003_gt.txt', tracks_dir=merl)
    (merl / 'Test003_gt.txt').unlink()
    with open(merl / 'Test002_gt.txt', 'a') as f:
        f.write('010.jpg 0 5 5 4 4\n')   # Test002 has 9 frames
    assert_api_fails('ped2', src, out, 'Test002_gt.txt:', 'frame file 010.jpg outside', tracks_dir=merl)


def test_out_is_a_file_or_under_one(tmp_path):
    "--out naming a file, or a folder under a file: one line naming the path, exit 2, nothing written."
    write_fixture('ped2', tmp_path / 'src', layout='anopred')
    (tmp_path / 'afile').write_text('x')
    proc = run_cli('data', 'prepare', 'ped2', '--src', tmp_path / 'src', '--out', tmp_path / 'afile')
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f'fast-aed: error: {tmp_path / "afile"}: is a file, not a folder; '
                                   'choose another output folder')
    proc = run_cli('data', 'prepare', 'ped2', '--src', tmp_path / 'src', '--out', tmp_path / 'afile/sub')
    assert proc.returncode == 2 and proc.stderr.count('\n') == 1, proc.stderr
    expected = f'fast-aed: error: cannot write {tmp_path / "afile/sub.partial"}: Not a directory'
    assert proc.stderr.startswith(expected), proc.stderr


@pytest.mark.parametrize('err', [28, 30])   # ENOSPC, EROFS
def test_disk_full_or_read_only_while_writing(tmp_path, monkeypatch, err):
    "A write failing with ENOSPC or EROFS aborts the conversion with one line naming the file; nothing is left behind."
    import fast_aed.core
    write_fixture('ped2', tmp_path / 'src', layout='anopred')
    real = fast_aed.core.os.replace
    def failing_replace(a, b):
        if str(b).endswith('labels.npy'):
            raise OSError(err, os.strerror(err))
        return real(a, b)
    monkeypatch.setattr(fast_aed.core.os, 'replace', failing_replace)
    with pytest.raises(FastAedError) as e:
        prepare_api('ped2', tmp_path / 'src', tmp_path / 'out')
    assert str(e.value).startswith('cannot write ')
    assert 'labels.npy' in str(e.value) and os.strerror(err) in str(e.value)
    assert not (tmp_path / 'out').exists() and not (tmp_path / 'out.partial').exists()


def test_files_follow_the_umask(tmp_path):
    "Every file of a prepared dataset gets the mode the umask allows (atomic writes too: mkstemp alone gives 0600)."
    write_fixture('avenue', tmp_path / 'src')
    old = os.umask(0o022)
    try:
        prepare_api('avenue', tmp_path / 'src', tmp_path / 'out')
    finally:
        os.umask(old)
    out = tmp_path / 'out'
    modes = {p.relative_to(out).as_posix(): p.stat().st_mode & 0o777 for p in out.rglob('*') if p.is_file()}
    assert modes['dataset.json'] == modes['test/01/labels.npy'] == modes['test/01/tracks.csv'] == 0o644
    assert set(modes.values()) == {0o644}, {k: oct(v) for k, v in modes.items() if v != 0o644}


def test_skip_bad_leaves_out_and_records_truncated_sources(tmp_path):
    "--skip-bad: a truncated video and a truncated frame are left out with a warning and listed in dataset.json."
    write_fixture('shanghaitech', tmp_path / 'src')
    v = tmp_path / 'src/shanghaitech/training/videos/02_003.avi'
    v.write_bytes(v.read_bytes()[:v.stat().st_size // 2])
    f = tmp_path / 'src/shanghaitech/testing/frames/04_0011/003.jpg'
    f.write_bytes(f.read_bytes()[:f.stat().st_size // 2])
    proc = run_cli('data', 'prepare', 'shanghaitech', '--src', tmp_path / 'src', '--out', tmp_path / 'out')
    assert proc.returncode == 2   # one line: FFmpeg's own complaint about the damaged stream is silenced by the CLI
    expected = f'fast-aed: error: {v}: truncated or damaged video: 3 frames decoded, the container declares 11\n'
    assert proc.stderr == expected, proc.stderr
    assert not (tmp_path / 'out').exists() and not (tmp_path / 'out.partial').exists()
    proc = prepare('shanghaitech', tmp_path / 'src', tmp_path / 'out', '--skip-bad')
    assert 'skipped train video 02_003' in proc.stderr and 'skipped test video 04_0011' in proc.stderr
    ds = load_dataset(tmp_path / 'out', verify=True)
    assert [r.name for r in ds.train] == ['01_001'] and [r.name for r in ds.test] == ['01_0014']
    sk = ds.meta['skipped_videos']
    assert [(s['split'], s['video']) for s in sk] == [('test', '04_0011'), ('train', '02_003')]
    assert '003.jpg: truncated or damaged JPEG' in sk[0]['reason'] and 'the container declares 11' in sk[1]['reason']
