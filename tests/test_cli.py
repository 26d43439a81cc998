"Integration tests of the `fast-aed` console script."
import errno, os, subprocess

import numpy as np
import pytest


def run_cli(*args, check=True):
    "Run the installed console script and return the completed process."
    proc = subprocess.run(['fast-aed', *map(str, args)], capture_output=True, text=True, timeout=600)
    if check and proc.returncode:
        raise AssertionError(f'fast-aed {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


def test_help_lists_command_groups():
    out = run_cli('--help').stdout
    assert 'data' in out and 'teachers' in out


@pytest.mark.parametrize('err', [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.ENOTDIR])
def test_os_error_escaping_a_command_is_one_line(monkeypatch, capsys, err):
    "An OSError that no command turned into a FastAedError is printed centrally by main(): one line, exit 2."
    import fast_aed.data
    from fast_aed.cli import main
    def failing(args):
        raise OSError(err, os.strerror(err), '/data/work/maps/A/test/01.npz')
    monkeypatch.setattr(fast_aed.data, '_cmd_info', failing)
    assert main(['data', 'info', 'anything']) == 2
    stderr = capsys.readouterr().err
    assert stderr.count('\n') == 1 and 'Traceback' not in stderr
    expected = f'fast-aed: error: cannot write /data/work/maps/A/test/01.npz: {os.strerror(err)}'
    assert stderr.startswith(expected), stderr


@pytest.mark.parametrize('argv', [
    ['score', 'clip.avi', '--checkpoint', 'x.onnx', '--size', '0', '0'],
    ['score', 'clip.avi', '--checkpoint', 'x.onnx', '--size', '64', '-48'],
    ['export-onnx', '--checkpoint', 'x.pt', '--out', 'x.onnx', '--size', '0', '0'],
    ['data', 'prepare', 'ped2', '--src', 'x', '--out', 'y', '--size', '0x0'],
])
def test_zero_or_negative_size_refused_by_the_parser(argv):
    proc = run_cli(*argv, check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert 'error: argument --size' in proc.stderr and 'positive' in proc.stderr, proc.stderr


RANDOM_BYTES = bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8))


@pytest.mark.parametrize('content', [b'these are not weights\n', RANDOM_BYTES])
def test_detect_with_a_non_model_weights_file(tmp_path, content):
    "A text file or random bytes renamed .pt: one line naming the file, no traceback."
    from fast_aed.data import DatasetWriter
    with DatasetWriter(tmp_path / 'data') as w:
        w.add_video('train', 'a', np.zeros((3, 16, 16, 3), np.uint8))
        w.finish('mini')
    (tmp_path / 'w.pt').write_bytes(content)
    env = {**os.environ, 'YOLO_CONFIG_DIR': str(tmp_path / 'yolo_cfg')}
    cmd = ['fast-aed', 'detect', str(tmp_path / 'data'), '--detector', 'yolo', '--weights', str(tmp_path / 'w.pt')]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    err = [l for l in proc.stderr.splitlines() if l.startswith('fast-aed: error:')]
    expected = f'fast-aed: error: {tmp_path / "w.pt"}: not a YOLO weights file'
    assert len(err) == 1 and err[0].startswith(expected), proc.stderr
    assert proc.stderr.strip().endswith(err[0])   # the error is the last line, nothing after it
