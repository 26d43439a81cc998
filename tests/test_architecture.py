"The package's shape: layers that rise in notebook order, export cells and functions a reader can hold, lint."
import ast, json, re, shutil, statistics, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_CELL, MEDIAN_CELL, MAX_FUNCTION = 4000, 1000, 60   # characters per export cell, lines per function


def module_notebooks() -> dict:
    "{module: notebook stem} from each notebook's `#| default_exp`."
    out = {}
    for nb in sorted((ROOT / 'nbs').glob('[0-9]*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            m = re.search(r'#\|\s*default_exp\s+(\S+)', ''.join(cell['source']))
            if m:
                out[m.group(1)] = nb.stem
    return out


MODULES = module_notebooks()
ORDER = {mod: i for i, mod in enumerate(sorted(MODULES, key=MODULES.get))}


def package_imports(module: str) -> list:
    "(imported fast_aed module, line, at top of file) for every import of the package's own modules in `module`."
    tree = ast.parse((ROOT / 'fast_aed' / f'{module}.py').read_text())
    top = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or '').startswith('fast_aed'):
            names = [node.module.split('.')[1]] if '.' in node.module else [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name.split('.')[1] for a in node.names if a.name.startswith('fast_aed.')]
        found += [(name, node.lineno, id(node) in top) for name in names if name in MODULES]
    return found


def guarded_package_imports(module: str) -> list:
    "Lines of `try: import <own module>` guards in `module`."
    tree = ast.parse((ROOT / 'fast_aed' / f'{module}.py').read_text())
    lines = []
    for node in ast.walk(tree):
        catches = isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id == 'ImportError' for h in node.handlers)
        for inner in node.body if catches else []:
            if isinstance(inner, ast.ImportFrom) and (inner.level == 1 or (inner.module or '').startswith('fast_aed')):
                    lines.append(inner.lineno)
    return lines


@pytest.mark.parametrize('module', sorted(MODULES))
def test_layers_rise_in_notebook_order(module):
    "Each module imports only modules of earlier notebooks, at the top of the file, without import guards."
    imports = package_imports(module)
    later = [f'{m} (line {line})' for m, line, _ in imports if ORDER[m] >= ORDER[module] and m != module]
    inner = [f'{m} (line {line})' for m, line, top in imports if not top]
    guards = guarded_package_imports(module)
    assert not later, f'{module} ({MODULES[module]}) imports later notebooks: {later}'
    assert not inner, f'{module} imports package modules inside functions: {inner}'
    assert not guards, f'{module} guards imports of the package: lines {guards}'


def export_cells() -> list:
    "(characters, notebook, first line) of every export cell."
    out = []
    for nb in sorted((ROOT / 'nbs').glob('[0-9]*.ipynb')):
        for cell in json.loads(nb.read_text())['cells']:
            src = ''.join(cell['source'])
            if cell['cell_type'] == 'code' and re.match(r'\s*#\|\s*export', src):
                out.append((len(src), nb.name, src.splitlines()[1] if '\n' in src else ''))
    return out


def function_lengths() -> list:
    "(lines, module, name) of every function and method of the library."
    out = []
    for path in sorted((ROOT / 'fast_aed').glob('*.py')):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append((node.end_lineno - node.lineno + 1, path.stem, node.name))
    return out


def test_cells_and_functions_a_reader_can_hold():
    "Prints and checks the largest and median export cell and the longest function."
    cells, functions = sorted(export_cells()), sorted(function_lengths())
    median = statistics.median(c[0] for c in cells)
    print(f'\nexport cells: {len(cells)}, median {median:.0f} characters, largest {cells[-1][0]} ({cells[-1][1]}); '
          f'longest function: {functions[-1][0]} lines ({functions[-1][1]}.{functions[-1][2]})')
    big = [f'{n} {first[:40]!r} ({size})' for size, n, first in cells if size > MAX_CELL]
    long = [f'{mod}.{name} ({lines})' for lines, mod, name in functions if lines > MAX_FUNCTION]
    assert not big, f'{len(big)} export cells over {MAX_CELL} characters: {big[:10]}'
    assert median < MEDIAN_CELL, f'median export cell {median:.0f} characters (limit {MEDIAN_CELL})'
    assert not long, f'{len(long)} functions over {MAX_FUNCTION} lines: {long[:10]}'


def test_no_scratch_in_the_repository():
    "Exploration stays out of the repository: nothing under nbs/_scratch is tracked."
    if not (ROOT / '.git').exists():
        pytest.skip('not a git checkout')
    tracked = subprocess.run(['git', 'ls-files', 'nbs/_scratch'], cwd=ROOT, capture_output=True, text=True).stdout
    assert not tracked.strip(), f'tracked scratch files: {tracked.split()[:5]}'


def test_library_lines_within_120_characters():
    "Every line of the exported library fits in 120 characters, except the `__all__` line nbdev writes itself."
    long = []
    for path in sorted((ROOT / 'fast_aed').glob('*.py')):
        if path.name == '_modidx.py':
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if len(line) > 120 and not line.startswith('__all__ = ['):
                long.append(f'{path.name}:{n} ({len(line)})')
    assert not long, f'{len(long)} lines over 120 characters: {long[:10]}'


def test_ruff_is_clean():
    "ruff (configured in ruff.toml) on the exported library and the tests."
    ruff = shutil.which('ruff') or str(Path(sys.executable).parent / 'ruff')
    assert Path(ruff).exists(), 'ruff is not installed: install the dev extra (pip install -e ".[dev]")'
    res = subprocess.run([ruff, 'check', 'fast_aed', 'tests', '--output-format', 'concise'],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:]
