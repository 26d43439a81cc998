# nbdev 2 template setup.py, without the `pkg_resources` import (current setuptools no longer ships it).
from configparser import ConfigParser
import setuptools, shlex

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

cfg_keys = 'version description keywords author author_email'.split()
expected = cfg_keys + "lib_name user branch license status min_python audience language".split()
for o in expected: assert o in cfg, "missing expected setting: {}".format(o)
setup_cfg = {o: cfg[o] for o in cfg_keys}

licenses = {'apache2': 'Apache-2.0', 'mit': 'MIT'}   # SPDX license expressions (license classifiers are deprecated)
statuses = ['0 - Pre-Planning', '1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable',
            '6 - Mature', '7 - Inactive']   # indexed by settings.ini's `status`, as in nbdev's template
py_versions = '3.10 3.11 3.12 3.13'.split()

requirements = shlex.split(cfg.get('requirements', ''))
lab_requirements = shlex.split(cfg.get('lab_requirements', ''))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))
min_python = cfg['min_python']
lic = licenses.get(cfg['license'].lower(), cfg['license'])

# A short description for package indexes; the README is the project's page in the repository.
long_description = f"""# {cfg['title']}

{cfg['description']}.

A tiny frame-level student network learns the multi-scale anomaly maps of two object-level teachers and scores every
frame of a surveillance video at hundreds to thousands of frames per second on a CPU. The `fast-aed` command renders a
synthetic benchmark, prepares Avenue / ShanghaiTech / Ped2, fits the teachers, trains and evaluates the student,
scores your own videos and regenerates every results table as executed papermill notebooks.

```bash
pip install fast-aed
fast-aed data synth --preset tiny --out data/tiny
fast-aed run data/tiny
fast-aed eval data/tiny --json
```

Documentation, results and the notebooks: {cfg['git_url']}
"""

setuptools.setup(
    name=cfg['repo'],
    license=lic,
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()]
                + ['Programming Language :: Python :: ' + o for o in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    # the papermill notebooks that `fast-aed reproduce` executes are kept in papermill_runs/ and installed as
    # fast_aed/papermill_runs; the named configs as fast_aed/configs
    packages=setuptools.find_packages(include=['fast_aed', 'fast_aed.*']) + ['fast_aed.papermill_runs'],
    package_dir={'fast_aed.papermill_runs': 'papermill_runs'},
    package_data={'fast_aed': ['configs/*.yaml'], 'fast_aed.papermill_runs': ['*.ipynb']},
    include_package_data=False,
    install_requires=requirements,
    extras_require={'dev': dev_requirements, 'lab': lab_requirements},
    python_requires='>=' + cfg['min_python'],
    long_description=long_description,
    long_description_content_type='text/markdown',
    license_files=['LICENSE'],
    zip_safe=False,
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d']},
    **setup_cfg)
