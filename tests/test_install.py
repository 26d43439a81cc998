"The package as it installs: requirements match the imports, the wheel carries the notebooks and configs, kernelspecs."
import ast, configparser, json, re, shutil, subprocess, sys, zipfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
# import -> distribution
DIST_NAMES = {'cv2': 'opencv-python', 'sklearn': 'scikit-learn', 'yaml': 'pyyaml', 'PIL': 'pillow'}
# `fast-aed reproduce` runs papermill and its python3 kernel as subprocesses
RUN_NOT_IMPORTED = {'papermill', 'ipykernel',
                    'pyyaml'}                   # the named configs (fast_aed/configs/*.yaml)
OPTIONAL = {'ipywidgets'}   # imported under try/except: progress bars as widgets in JupyterLab (the lab extra)

def settings():
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini')
    return cfg['DEFAULT']

def names(key):
    return {re.split(r'[<>=!~ ;\[]', r, 1)[0].lower() for r in settings().get(key, '').split()}

def third_party_imports():
    "Top-level modules imported anywhere in fast_aed/*.py (at module level or inside functions), stdlib excluded."
    found = set()
    for path in (ROOT / 'fast_aed').glob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name.split('.')[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split('.')[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != 'fast_aed'}

def test_requirements_are_what_the_library_imports():
    imported = {DIST_NAMES.get(m, m).lower() for m in third_party_imports()} - OPTIONAL
    required = names('requirements')
    assert OPTIONAL <= names('lab_requirements')
    unlisted, unused = imported - required, required - imported - RUN_NOT_IMPORTED
    assert unlisted == set(), f'imported by fast_aed but not in settings.ini requirements: {unlisted}'
    assert unused == set(), f'required but never imported: {unused}'
    dev_only = names('dev_requirements') - required - {'fastcore'}
    assert {'nbdev', 'pytest', 'jupytext'} <= dev_only and not (dev_only & imported)

def test_every_notebook_has_a_python3_kernelspec():
    notebooks = sorted(ROOT.glob('nbs/*.ipynb')) + sorted(ROOT.glob('papermill_runs/*.ipynb'))
    assert len(notebooks) > 20
    kernel = lambda p: json.loads(p.read_text())['metadata'].get('kernelspec', {}).get('name')
    missing = [str(p.relative_to(ROOT)) for p in notebooks if kernel(p) != 'python3']
    assert not missing, f'no python3 kernelspec (open in JupyterLab, or `jupytext --set-kernel python3`): {missing}'
    assert 'kernelspec' in settings()['allowed_metadata_keys'].split()   # nbdev_clean keeps it

@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    "A wheel built from a copy of the sources (no build/ or egg-info left in the checkout)."
    src, out = tmp_path_factory.mktemp('src'), tmp_path_factory.mktemp('dist')
    for name in ('setup.py', 'settings.ini', 'MANIFEST.in', 'LICENSE', 'README.md'):
        shutil.copy(ROOT / name, src)
    shutil.copytree(ROOT / 'fast_aed', src / 'fast_aed', ignore=shutil.ignore_patterns('__pycache__'))
    (src / 'papermill_runs').mkdir()
    for nb in (ROOT / 'papermill_runs').glob('*.ipynb'):
        shutil.copy(nb, src / 'papermill_runs')
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', '-w', str(out),
                    str(src)], check=True, capture_output=True)
    return zipfile.ZipFile(next(out.glob('fast_aed-*.whl')))

def test_wheel_carries_the_notebooks_configs_and_licence(wheel):
    files = set(wheel.namelist())
    for nb in (ROOT / 'papermill_runs').glob('*.ipynb'):
        assert f'fast_aed/papermill_runs/{nb.name}' in files
    for cfg in (ROOT / 'fast_aed' / 'configs').glob('*.yaml'):
        assert f'fast_aed/configs/{cfg.name}' in files
    assert not [f for f in files if '/reports/' in f or '_cache' in f]   # executed reports stay in the repository
    meta = wheel.read(next(f for f in files if f.endswith('.dist-info/METADATA'))).decode()
    assert 'Classifier: Development Status :: 3 - Alpha' in meta and 'License: Apache-2.0' in meta
    assert any(f.endswith('.dist-info/licenses/LICENSE') for f in files)
    plain = [l.split(':', 1)[1].strip() for l in meta.splitlines()
             if l.startswith('Requires-Dist:') and 'extra ==' not in l]
    assert not [r for r in plain if r.startswith(('nbdev', 'pytest', 'jupytext', 'jupyterlab'))], plain
    assert len(meta.split('\n\n', 1)[1].splitlines()) < 40   # a short long description, not the README

def test_readme_is_a_product_page():
    readme = (ROOT / 'README.md').read_text().splitlines()
    assert len(readme) <= 250 and readme.index('## Results') < 120
    quick = readme[readme.index('## Quick start'):]
    block = quick[quick.index('```bash') + 1:quick.index('```')]
    assert len(block) <= 8 and not [l for l in block if '{' in l]
    labels = [f'{p.relative_to(ROOT)}: {m}' for p in [ROOT / 'README.md', *ROOT.glob('docs/*.md')]
              for m in re.findall(r'(?i)\bstops? \d+', p.read_text())]
    assert not labels, labels
