"""An interpreter in which mmcv's compiled ops fail to import, as in the
demo's install (``tools/install.sh`` without ``--with-ops``)."""
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# Loaded by site before anything else: ``mmcv.ops`` and ``mmcv._ext`` raise
# ImportError as they do when mmcv was built with MMCV_WITH_OPS=0.
SITECUSTOMIZE = '''
import importlib.abc
import sys


class _NoMmcvOps(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in ('mmcv._ext', 'mmcv.ops') or name.startswith('mmcv.ops.'):
            raise ImportError(f'No module named {name!r} (no compiled ops)')
        return None


sys.meta_path.insert(0, _NoMmcvOps())
'''


@pytest.fixture(scope='session')
def no_ops_env(tmp_path_factory):
    """Environment variables for a subprocess without mmcv's ops."""
    folder = tmp_path_factory.mktemp('no_mmcv_ops')
    (folder / 'sitecustomize.py').write_text(SITECUSTOMIZE)
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [str(folder), REPO_ROOT, env.get('PYTHONPATH', '')]).rstrip(os.pathsep)
    return env


@pytest.fixture(scope='session')
def run_without_ops(no_ops_env):
    """``run_without_ops(code)``: run ``code`` in a fresh interpreter whose
    mmcv has no compiled ops; returns the CompletedProcess."""

    def run(code: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, '-W', 'ignore', '-c', code], cwd=REPO_ROOT,
            env=no_ops_env, capture_output=True, text=True, timeout=300)

    return run
