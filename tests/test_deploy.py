"Integration tests of `fast-aed score` / `fast-aed export-onnx` (the `fast_aed.deploy` module)."
import json, os, shutil, subprocess, time
from unittest import mock
from pathlib import Path
import numpy as np, pandas as pd, pytest, torch, cv2

from fast_aed.deploy import write_test_video, export_onnx, OnnxStudent, SCALES
from fast_aed.student import Student

ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'FAST_AED_QUIET': '1'}


def run_cli(*args, check=True):
    "The installed console script in a subprocess (slow start-up: used for the main path only)."
    proc = subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=300, env=ENV)
    if check and proc.returncode:
        raise AssertionError(f'fast-aed {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


def main_cli(capsys, *args):
    "The same command line in this process (`fast_aed.cli.main`): exit code, stdout, stderr."
    from fast_aed.cli import main
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope='module')
def assets(tmp_path_factory):
    "A tiny generated video, a frame folder and a randomly initialised Student exported to ONNX (non-square input)."
    d = tmp_path_factory.mktemp('deploy')
    vid = write_test_video(d / 'clip.avi', n_frames=23, size=(120, 80))
    torch.manual_seed(0)
    model = Student().eval()
    onnx = export_onnx(model, d / 'student.onnx', input_size=(64, 48))
    (d / 'frames').mkdir()
    cap = cv2.VideoCapture(str(vid))
    for i in range(9):
        ok, f = cap.read()
        assert ok
        cv2.imwrite(str(d / 'frames' / f'{i:06d}.jpg'), f)
    return {'dir': d, 'video': vid, 'onnx': onnx, 'model': model}


def test_onnx_parity_with_torch(assets):
    x = torch.randn(4, 9, 48, 64)
    with torch.inference_mode():
        ref = assets['model'](x)
    got = OnnxStudent(assets['onnx'], threads=1)(x)
    for s in SCALES:
        assert got[s].shape == ref[s].shape
        assert torch.allclose(got[s], ref[s], atol=1e-4), (s, (got[s] - ref[s]).abs().max())


def test_score_video_cli(assets):
    out = assets['dir'] / 'out_video'
    proc = run_cli('score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx', '--out', out,
                   '--batch-size', 8, '--sigma', 3, '--json')
    summary = json.loads(proc.stdout)
    df = pd.read_csv(out / 'scores.csv')
    assert list(df.columns) == ['frame', 'source', 'S', 'M', 'L', 'MIX', 'smoothed']
    assert df.frame.tolist() == list(range(23))  # one row per frame, the last 3 included (their t+3 is t)
    assert df.source.tolist() == list(range(23))  # a video's frames are named by their index in it
    assert np.allclose(df.MIX, (df.S + df.M + df.L) / 3, atol=1e-5)
    assert df.smoothed.std() <= df.MIX.std() + 1e-9
    assert (out / 'timeline.png').stat().st_size > 1000
    cap = cv2.VideoCapture(str(out / 'overlay.avi'))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 23 and int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) == 120
    assert summary['frames'] == 23 and summary['end_to_end_fps'] > 0 and summary['model_fps'] > 0
    # both throughputs come from the same run, batch size and threads; the ratio is theirs
    assert summary['end_to_end_over_model'] == pytest.approx(summary['end_to_end_fps'] / summary['model_fps'])
    assert summary['model_threads'] >= 1 and summary['onnx_spinning'] is False and summary['batch_size'] == 8
    assert summary['model_fps_before'] > 0 and summary['model_fps_after'] > 0 and summary['model_bench_frames'] >= 3 * 8
    assert summary['overlay_mode'] == 'second pass' and summary['overlay_frames'] == 23
    assert summary['with_overlay_fps'] <= summary['end_to_end_fps'] and summary['reader_fps'] > 0
    assert json.loads((out / 'summary.json').read_text())['manifest']['versions']['torch']


def test_score_matches_direct_inference(assets, capsys):
    "The streamed scores equal the model run on stacks built with the dataset loader's neighbour rule."
    from fast_aed.data import stack_indices
    from fast_aed.deploy import preprocess
    out = assets['dir'] / 'out_direct'
    code, *_ = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx',
                        '--out', out, '--batch-size', 5, '--no-overlay', '--no-benchmark')
    assert code == 0
    cap = cv2.VideoCapture(str(assets['video']))
    frames = []
    while (r := cap.read())[0]:
        frames.append(preprocess(r[1], (64, 48)).transpose(2, 0, 1))
    x = np.stack([np.concatenate([frames[i] for i in stack_indices(t, len(frames))]) for t in range(len(frames))])
    with torch.inference_mode():
        m = assets['model'](torch.from_numpy(x))
    mix = (m[1].flatten() + m[4].flatten(1).amax(1) + m[16].flatten(1).amax(1)).numpy() / 3
    assert np.allclose(pd.read_csv(out / 'scores.csv').MIX, mix, atol=1e-4)
    assert not (out / 'overlay.avi').exists()


def test_score_folder_max_frames(assets, capsys):
    out = assets['dir'] / 'out_folder'
    code, *_ = main_cli(capsys, 'score', assets['dir'] / 'frames', '--checkpoint', assets['onnx'], '--backend', 'onnx',
                        '--out', out, '--max-frames', 6, '--no-overlay', '--no-benchmark')
    assert code == 0
    df = pd.read_csv(out / 'scores.csv')
    assert df.frame.tolist() == list(range(6)) and df.source.tolist() == [f'{i:06d}.jpg' for i in range(6)]


def _random_bytes(d):
    (d / 'x.avi').write_bytes(np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes())
    return d / 'x.avi'

def _bad_frame_dir(d):
    (d / 'badframes').mkdir(exist_ok=True)
    cv2.imwrite(str(d / 'badframes' / '000000.png'), np.zeros((8, 8, 3), np.uint8))
    (d / 'badframes' / '000001.jpg').write_bytes(b'\xff\xd8 not a jpeg' * 50)
    return d / 'badframes'

def _truncated_avi(d):
    data = (d / 'clip.avi').read_bytes()
    (d / 'cut.avi').write_bytes(data[:len(data) // 2])   # OpenCV decodes the first half without complaint
    return d / 'cut.avi'

def _copy_frames(d, name):
    shutil.copytree(d / 'frames', d / name, dirs_exist_ok=True)
    return d / name

def _truncated_jpg(d):
    f = _copy_frames(d, 'cutframes') / '000004.jpg'
    f.write_bytes(f.read_bytes()[:f.stat().st_size // 2])   # OpenCV would keep it with its lower half grey
    return d / 'cutframes'

def _gap_in_numbering(d):
    (_copy_frames(d, 'gapframes') / '000003.jpg').unlink()   # scoring would renumber frames 4-8 as 3-7
    return d / 'gapframes'

@pytest.mark.parametrize('make, expect', [
    (lambda d: d / 'missing.avi', ['missing.avi', 'no such']),
    (lambda d: (d / 'junk.avi').write_bytes(b'\x00garbage' * 200) and d / 'junk.avi', ['junk.avi']),
    (_random_bytes, ['x.avi']),  # unreadable: random bytes
    (lambda d: (d / 'empty.avi').write_bytes(b'') or d / 'empty.avi', ['empty.avi', 'empty']),
    (lambda d: write_test_video(d / 'zero.avi', n_frames=0), ['zero.avi']),  # a container without a frame
    (lambda d: (d / 'nothing').mkdir(exist_ok=True) or d / 'nothing', ['nothing', 'no image files']),
    (_bad_frame_dir, ['000001.jpg', 'damaged JPEG']),
    (lambda d: '97', ['camera 97']),
    (_truncated_avi, ['cut.avi', 'truncated', 'the container declares 23']),
    (_truncated_jpg, ['000004.jpg', 'truncated or damaged JPEG']),
    (_gap_in_numbering, ['gapframes', 'frames [3] missing from the numbering 0..8']),
])
def test_score_bad_sources(assets, make, expect, capsys):
    "Each bad source gives exit code 2 and one error line naming the file (the full path) and the problem."
    src = make(assets['dir'])
    code, _, err = main_cli(capsys, 'score', src, '--checkpoint', assets['onnx'], '--backend', 'onnx',
                            '--out', assets['dir'] / 'bad')
    assert code == 2 and 'fast-aed: error:' in err and 'Traceback' not in err, err
    for e in expect:
        assert e in err, err
    if isinstance(src, Path):
        assert str(src) in err, err  # the full path, not just a stem
    assert not (assets['dir'] / 'bad' / 'scores.csv').exists()


def test_score_threads_and_spinning(assets, capsys):
    "`--threads` and `--spinning` reach the runner and are logged in summary.json."
    out = assets['dir'] / 'out_threads'
    code, stdout, _ = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx',
                               '--out', out, '--batch-size', 4, '--threads', 2, '--spinning', '--no-overlay')
    assert code == 0 and '2 model threads' in stdout and 'same batch and threads' in stdout
    s = json.loads((out / 'summary.json').read_text())
    assert (s['model_threads'], s['threads_requested'], s['onnx_spinning']) == (2, 2, True)
    assert 'threads=2, spinning=True' in s['runner'] and s['manifest']['config']['model_threads'] == 2
    code, _, err = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx',
                            '--threads', 0)
    assert code == 2 and 'threads' in err


def test_score_bad_checkpoint(assets, capsys):
    code, _, err = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['dir'] / 'nope.pt')
    assert code == 2 and 'nope.pt' in err
    # .onnx needs --backend onnx
    code, _, err = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'])
    assert code == 2 and '--backend onnx' in err


def test_score_error_from_console_script(assets):
    proc = run_cli('score', assets['dir'] / 'missing.avi', '--checkpoint', assets['onnx'], '--backend', 'onnx',
                   check=False)
    assert proc.returncode == 2 and 'missing.avi' in proc.stderr and 'Traceback' not in proc.stderr


@pytest.mark.parametrize('where', ['file', 'under_file'])
def test_score_out_is_a_file(assets, capsys, where):
    "--out naming a file, or a folder under a file: one line naming the path, exit 2."
    f = assets['dir'] / 'notafolder'
    f.write_text('x')
    out = f if where == 'file' else f / 'sub'
    code, _, err = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx',
                            '--out', out, '--no-benchmark')
    assert code == 2 and err.count('\n') == 1 and err.startswith(f'fast-aed: error: cannot write {out}'), err
    assert ('File exists' if where == 'file' else 'Not a directory') in err


def test_score_disk_full(assets, capsys, monkeypatch):
    "ENOSPC while writing the scores: one line naming scores.csv, and no half-written CSV."
    import errno, fast_aed.core
    real = fast_aed.core.os.replace
    def full(a, b):
        if str(b).endswith('scores.csv'):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(a, b)
    monkeypatch.setattr(fast_aed.core.os, 'replace', full)
    out = assets['dir'] / 'out_full'
    code, _, err = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx',
                            '--out', out, '--no-overlay', '--no-benchmark')
    assert code == 2 and err == f'fast-aed: error: cannot write {out / "scores.csv"}: No space left on device\n', err
    assert not list(out.glob('*scores.csv*'))


def test_score_outputs_follow_the_umask(assets, capsys):
    out = assets['dir'] / 'out_umask'
    old = os.umask(0o027)
    try:
        code, *_ = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx',
                            '--out', out, '--no-benchmark')
    finally:
        os.umask(old)
    assert code == 0
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()}
    assert modes['scores.csv'] == modes['summary.json'] == modes['timeline.png'] == 0o640, \
        {k: oct(v) for k, v in modes.items()}


@pytest.fixture(scope='module')
def clip50(assets):
    "A 50 fps clip: scored with `--live`, it comes as fast as a camera would deliver it."
    return write_test_video(assets['dir'] / 'clip50.avi', n_frames=40, size=(120, 80), fps=50)


def test_score_live_slow_model_drops_and_counts(assets, clip50, capsys, monkeypatch):
    "A model too slow for a live source drops frames, counted in the output and summary.json; the CSV shows gaps."
    from fast_aed.deploy import OnnxStudent
    real = OnnxStudent.__call__
    def slow(self, x):
        time.sleep(0.1)
        return real(self, x)
    monkeypatch.setattr(OnnxStudent, '__call__', slow)
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    out = assets['dir'] / 'out_live'
    code, stdout, err = main_cli(capsys, 'score', clip50, '--checkpoint', assets['onnx'], '--backend', 'onnx',
                                 '--out', out, '--live', '--no-benchmark', '--sigma', 3)
    assert code == 0 and 'no display found' in err and err.count('\n') == 1, err
    s = json.loads((out / 'summary.json').read_text())
    got = (s['live'], s['kind'], s['frames_read'], s['display'], s['live_buffer'])
    assert got == (True, 'video', 40, 'no display found', 2)
    assert s['frames_scored'] + s['frames_dropped'] == 40 and s['frames_dropped'] >= 15, s
    assert s['frames_left_at_stop'] == 0, s
    assert s['drop_rate'] == pytest.approx(s['frames_dropped'] / 40) and s['frames'] == s['frames_scored']
    line = f"live: 40 frames read, {s['frames_scored']} scored, {s['frames_dropped']} dropped to keep up"
    assert line in stdout, stdout
    df = pd.read_csv(out / 'scores.csv')
    assert len(df) == s['frames_scored'] and (np.diff(df.frame) > 1).any() and df.frame.is_monotonic_increasing
    assert (out / 'timeline.png').exists() and s['overlay_mode'] == 'inline'
    assert int(cv2.VideoCapture(str(out / 'overlay.avi')).get(cv2.CAP_PROP_FRAME_COUNT)) == s['frames_scored']


def test_score_file_is_never_dropped(assets, capsys, monkeypatch):
    "Without --live, a file waits for a slow model: every frame is scored."
    from fast_aed.deploy import OnnxStudent
    real = OnnxStudent.__call__
    monkeypatch.setattr(OnnxStudent, '__call__', lambda self, x: (time.sleep(0.05), real(self, x))[1])
    out = assets['dir'] / 'out_notlive'
    code, stdout, _ = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx',
                               '--out', out, '--batch-size', 4, '--no-benchmark', '--no-overlay')
    s = json.loads((out / 'summary.json').read_text())
    assert code == 0 and 'live:' not in stdout
    got = (s['live'], s['frames_read'], s['frames_scored'], s['frames_dropped'], s['display'])
    assert got == (False, 23, 23, 0, None)


def test_score_live_display_mocked(assets, clip50, capsys, monkeypatch):
    "With a display the overlay is shown frame by frame and Esc stops the run, whose outputs are still written."
    import fast_aed.deploy
    monkeypatch.setattr(fast_aed.deploy, 'display_available', lambda: True)
    out = assets['dir'] / 'out_display'
    with mock.patch.object(cv2, 'imshow') as imshow, mock.patch.object(cv2, 'destroyWindow') as closed, \
         mock.patch.object(cv2, 'waitKey', side_effect=[-1, -1, 27] + [-1] * 100):
        code, stdout, err = main_cli(capsys, 'score', clip50, '--checkpoint', assets['onnx'], '--backend', 'onnx',
                                     '--out', out, '--live', '--no-benchmark')
    s = json.loads((out / 'summary.json').read_text())
    assert code == 0 and 'no display found' not in err
    assert (s['display'], s['stopped_by_key'], s['interrupted']) == ('window', True, True)
    assert imshow.call_count == s['display_frames'] and 3 <= s['display_frames'] <= 3 + 1 and closed.called
    assert imshow.call_args[0][1].shape == (80, 120, 3)
    assert len(pd.read_csv(out / 'scores.csv')) == s['frames_scored'] < 40
    # --no-display: no window even with a display
    with mock.patch.object(cv2, 'imshow') as imshow:
        code, *_ = main_cli(capsys, 'score', clip50, '--checkpoint', assets['onnx'], '--backend', 'onnx', 
                            '--out', assets['dir'] / 'out_nodisp', '--live', '--no-display', '--no-benchmark',
                            '--no-overlay', '--max-frames', 10)
    s = json.loads((assets['dir'] / 'out_nodisp' / 'summary.json').read_text())
    assert code == 0 and not imshow.called and (s['display'], s['frames_read']) == ('off', 10)


def test_score_stream_url(assets, capsys, monkeypatch):
    "A URL OpenCV opens is a live stream; one it cannot open gives one line naming the URL."
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    out = assets['dir'] / 'out_stream'
    code, stdout, _ = main_cli(capsys, 'score', f"file://{assets['video']}", '--checkpoint', assets['onnx'],
                               '--backend', 'onnx', '--out', out, '--no-benchmark', '--max-frames', 12)
    s = json.loads((out / 'summary.json').read_text())
    assert code == 0 and (s['kind'], s['live'], s['frames_read']) == ('stream', True, 12)
    assert 'live: 12 frames read' in stdout
    url = 'http://127.0.0.1:9/cam.mjpg'   # nothing listens on the discard port: refused at once
    code, _, err = main_cli(capsys, 'score', url, '--checkpoint', assets['onnx'], '--backend', 'onnx',
                            '--out', assets['dir'] / 'bad_url')
    assert code == 2 and err.count('\n') == 1, err
    assert err.startswith(f'fast-aed: error: {url}: OpenCV could not open this stream'), err
    # FFmpeg's own log line silenced
    proc = run_cli('score', url, '--checkpoint', assets['onnx'], '--backend', 'onnx', check=False)
    assert proc.returncode == 2 and proc.stderr.count('\n') == 1 and url in proc.stderr, proc.stderr


@pytest.fixture(scope='module')
def calib_data(assets):
    "A tiny prepared dataset: one training video (the calibration frames) and one labelled test video."
    from fast_aed.data import DatasetWriter
    cap = cv2.VideoCapture(str(assets['video']))
    frames = [cap.read()[1] for _ in range(12)]
    root = assets['dir'] / 'calib'
    with DatasetWriter(root) as w:
        w.add_video('train', 'a', frames)
        w.add_video('test', 'b', frames[::-1], labels=np.r_[np.zeros(6), np.ones(6)].astype(np.uint8))
        w.finish('calib')
    return root


def test_int8_quantize_close_to_fp32(assets, calib_data, tmp_path):
    "Static int8 (per-channel, QDQ) calibrated on the training frames stays within 0.02 of fp32 on every map."
    from fast_aed.deploy import quantize_onnx, calibration_stacks
    fp32 = OnnxStudent(assets['onnx'], threads=1)
    stacks = calibration_stacks(calib_data, fp32.offsets, fp32.input_size)
    q = OnnxStudent(quantize_onnx(assets['onnx'], stacks, tmp_path / 'q.onnx', n_frames=12), threads=1)
    assert q.quantization['per_channel'] and q.quantization['calibration_stacks'] == 12
    assert (q.input_size, q.offsets) == (fp32.input_size, fp32.offsets)
    x = np.stack([stacks.stack(0, t) for t in range(12)])
    a, b = fp32(x), q(x)
    for s in SCALES:
        assert a[s].shape == b[s].shape
        assert np.abs(a[s] - b[s]).max() < 0.02, (s, np.abs(a[s] - b[s]).max())
    assert not np.allclose(a[16], b[16], atol=1e-7)   # it really runs quantized


def test_score_int8_backend(assets, calib_data, capsys):
    "`score --backend onnx-int8 --calibration DATA` quantizes into the output folder and scores like fp32."
    out8, out32 = assets['dir'] / 'out_int8', assets['dir'] / 'out_fp32'
    code, *_ = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx-int8',
                        '--calibration', calib_data, '--out', out8, '--no-overlay', '--no-benchmark')
    assert code == 0 and (out8 / 'student.int8.onnx').exists()
    summary = json.loads((out8 / 'summary.json').read_text())
    assert summary['backend'] == 'onnx-int8' and 'int8' in summary['runner']
    main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx', '--out', out32,
             '--no-overlay', '--no-benchmark')
    mix8, mix32 = (pd.read_csv(o / 'scores.csv').MIX for o in (out8, out32))
    assert np.abs(mix8 - mix32).max() < 0.02
    code, _, err = main_cli(capsys, 'score', assets['video'], '--checkpoint', assets['onnx'], '--backend', 'onnx-int8',
                            '--out', assets['dir'] / 'out_nocal', '--no-benchmark')
    assert code == 2 and '--calibration' in err


def test_frame_differences_student_exports_to_onnx(tmp_path):
    "A student reading frame differences (a layer inside the model) gives the same maps through onnxruntime."
    import onnxruntime as ort
    torch.manual_seed(0)
    st = Student(width=8, n_down=3, depth=1, heads=2, dim_head=16, motion_input='differences').eval()
    x = torch.randn(2, 9, 96, 160)
    with torch.no_grad():
        ref = st(x)
    sess = ort.InferenceSession(str(export_onnx(st, tmp_path / 's.onnx', input_size=(160, 96))))
    out = sess.run(None, {sess.get_inputs()[0].name: x.numpy()})
    for got, scale in zip(out, (1, 4, 16)):
        np.testing.assert_allclose(got.reshape(ref[scale].shape), ref[scale].numpy(), atol=1e-5)


def test_onnx_parity_position_input(tmp_path):
    "A student that reads pixel coordinates (`position_input`) exports to ONNX with the same maps."
    torch.manual_seed(1)
    model = Student(width=8, n_down=3, depth=1, heads=2, dim_head=16, motion_input='differences',
                    position_input=True).eval()
    onnx = export_onnx(model, tmp_path / 'student_xy.onnx', input_size=(64, 48))
    x = torch.randn(3, 9, 48, 64)
    with torch.inference_mode():
        ref = model(x)
    got = OnnxStudent(onnx, threads=1)(x)
    for s in SCALES:
        assert torch.allclose(got[s], ref[s], atol=1e-4), (s, (got[s] - ref[s]).abs().max())
