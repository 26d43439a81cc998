"Integration tests of the `fast-aed` console script."
import subprocess, sys


def run_cli(*args, check=True):
    "Run the installed console script and return the completed process."
    proc = subprocess.run(['fast-aed', *args], capture_output=True, text=True, timeout=600)
    if check and proc.returncode: raise AssertionError(f'fast-aed {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}')
    return proc


def test_help_lists_command_groups():
    out = run_cli('--help').stdout
    assert 'data' in out and 'teachers' in out
