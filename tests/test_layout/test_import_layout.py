"""The package layout: each subpackage imports alone, ``utils`` imports only
``registry`` and ``structures`` of wsol_mm, and no two parts of wsol_mm
import each other (directly or around a longer cycle)."""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import wsol_mm
from .import_graph import ROOT, describe_cycle, find_cycle, part_edges

PACKAGE_DIR = osp.dirname(wsol_mm.__file__)
REPO_ROOT = osp.dirname(PACKAGE_DIR)
SUBPACKAGES = sorted(
    name for name in os.listdir(PACKAGE_DIR)
    if osp.isfile(osp.join(PACKAGE_DIR, name, '__init__.py')))
# What wsol_mm/utils/ may import of wsol_mm: the parts below it.
UTILS_MAY_IMPORT = ('registry', 'structures')


def utils_violations(package_dir: str) -> list:
    """'file:line imports name' of every import of ``utils`` outside
    :data:`UTILS_MAY_IMPORT`."""
    return [where for (source, target), places in
            sorted(part_edges(package_dir).items())
            if source == 'utils' and target not in UTILS_MAY_IMPORT
            for where in places]


def cycle_report(package_dir: str):
    """The description of an import cycle between the package's parts, or
    None."""
    edges = part_edges(package_dir)
    cycle = find_cycle(edges)
    return None if cycle is None else describe_cycle(cycle, edges)


def test_the_subpackages_are_found():
    assert {'apis', 'datasets', 'engine', 'evaluation', 'models',
            'pipelines', 'structures', 'studies', 'utils'} <= set(SUBPACKAGES)


# Third-party libraries the child interpreters find loaded (they cost most
# of an import; mmdet is left out: wsol_mm imports it only where needed).
PRELOADED = ('numpy', 'torch', 'mmengine.runner', 'mmengine.model',
             'mmcv.transforms', 'mmpretrain.models')
# `python -c IMPORT_EACH_ALONE PRELOADED PACKAGE SUBPACKAGES` (lists joined
# by commas) loads PRELOADED, then forks one child per subpackage: each child
# starts with no module of PACKAGE loaded and imports only
# PACKAGE.<subpackage>; the parent prints the subpackages that failed.
IMPORT_EACH_ALONE = """
import importlib, json, os, sys, traceback
preloaded, package, subpackages = sys.argv[1:]
for name in filter(None, preloaded.split(',')):
    importlib.import_module(name)
assert not [m for m in sys.modules if m.split('.')[0] == package]
failed = []
for subpackage in subpackages.split(','):
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(package + '.' + subpackage)
        except BaseException:
            print('--- import ' + package + '.' + subpackage, file=sys.stderr)
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1] != 0:
        failed.append(subpackage)
print(json.dumps(failed))
"""


def import_each_alone(preloaded, package, subpackages, cwd):
    """The subpackages that fail to import alone, and the tracebacks."""
    result = subprocess.run(
        [sys.executable, '-c', IMPORT_EACH_ALONE, ','.join(preloaded),
         package, ','.join(subpackages)],
        cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1]), result.stderr


def test_each_subpackage_imports_alone():
    """Each ``wsol_mm.<subpackage>`` imported first in an interpreter that
    holds no wsol_mm module, so an import cycle that only a particular order
    breaks shows here."""
    failed, log = import_each_alone(PRELOADED, 'wsol_mm', SUBPACKAGES,
                                    REPO_ROOT)
    assert failed == [], f'{failed} fail to import alone:\n{log[-6000:]}'


def test_a_subpackage_that_cannot_import_alone_is_reported(tmp_path):
    """``a`` and ``b`` import names from each other at import time: neither
    imports first; ``c`` does."""
    files = {'__init__.py': '',
             'a/__init__.py': 'from pkg.b import B\nA = 1\n',
             'b/__init__.py': 'from pkg.a import A\nB = 1\n',
             'c/__init__.py': 'C = 1\n'}
    for name, text in files.items():
        (tmp_path / 'pkg' / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / 'pkg' / name).write_text(text)
    failed, log = import_each_alone((), 'pkg', ['a', 'b', 'c'], tmp_path)
    assert failed == ['a', 'b']
    assert '--- import pkg.a' in log and 'partially initialized' in log


def test_utils_imports_only_registry_and_structures():
    violations = utils_violations(PACKAGE_DIR)
    assert not violations, 'wsol_mm/utils/ imports parts above it:\n' + \
        '\n'.join(violations)


def test_no_two_parts_import_each_other():
    report = cycle_report(PACKAGE_DIR)
    assert report is None, f'import cycle between parts of wsol_mm:\n{report}'


def test_a_lazy_import_from_utils_is_a_violation_and_a_cycle(tmp_path):
    """The real package plus one file: ``utils`` importing ``pipelines``
    inside a function (``pipelines`` imports ``engine``, which imports
    ``utils``) is reported with its file and line."""
    copy = tmp_path / 'wsol_mm'
    shutil.copytree(PACKAGE_DIR, copy,
                    ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    (copy / 'utils' / 'launcher.py').write_text(
        'import os\n\n\ndef launch(cfg):\n'
        '    from wsol_mm.pipelines import MultiStagePipeline\n'
        '    return MultiStagePipeline(cfg)\n')
    where = 'wsol_mm/utils/launcher.py:5 imports ' \
        'wsol_mm.pipelines.MultiStagePipeline'
    assert utils_violations(str(copy)) == [where]
    report = cycle_report(str(copy))
    assert report is not None
    cycle = report.splitlines()[0].split(' -> ')
    assert cycle[0] == cycle[-1] and {'utils', 'pipelines'} <= set(cycle)
    assert f'    {where}' in report.splitlines()


def test_every_import_form_makes_an_edge(tmp_path):
    """A synthetic package: relative (one and two levels), absolute,
    ``from pkg import sub``, function-level, ``importlib.import_module`` and
    the package's ``__init__`` itself as a target."""
    pkg = tmp_path / 'pkg'
    files = {
        '__init__.py': 'from .low import thing\n',
        'low/__init__.py': 'thing = 1\n',
        'low/deep/__init__.py': '',
        'low/deep/mod.py': 'from ...mid import helper\n',
        'mid/__init__.py': 'from . import helper\n',
        'mid/helper.py': 'def f():\n    import pkg.top.x\n',
        'top/__init__.py': '',
        'top/x.py': ('import importlib\nfrom pkg import low\n'
                     "importlib.import_module('pkg.version')\n"
                     'from pkg import thing\n'),
        'version.py': '',
    }
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    edges = part_edges(str(pkg))
    assert {key: len(places) for key, places in edges.items()} == {
        (ROOT, 'low'): 1, ('low', 'mid'): 1, ('mid', 'top'): 1,
        ('top', 'low'): 1, ('top', 'version'): 1, ('top', ROOT): 1}
    assert edges[('low', 'mid')] == [
        'pkg/low/deep/mod.py:1 imports pkg.mid.helper']
    assert edges[('mid', 'top')] == ['pkg/mid/helper.py:2 imports pkg.top.x']
    assert find_cycle(edges) == [ROOT, 'low', 'mid', 'top', ROOT]
    del edges[('top', ROOT)]
    assert find_cycle(edges) == ['low', 'mid', 'top', 'low']
    report = describe_cycle(find_cycle(edges), edges)
    assert report.splitlines()[0] == 'low -> mid -> top -> low'
    assert '    pkg/top/x.py:2 imports pkg.low' in report.splitlines()


def test_an_acyclic_graph_has_no_cycle():
    edges = {('a', 'b'): ['x'], ('b', 'c'): ['y'], ('a', 'c'): ['z']}
    assert find_cycle(edges) is None
    assert find_cycle({**edges, ('c', 'a'): ['w']}) == ['a', 'b', 'c', 'a']
