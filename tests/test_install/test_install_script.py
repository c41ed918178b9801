"""tools/install.sh: its options, its dry run, and which mmcv it would
install with and without ``--with-ops`` (nothing is installed)."""
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import REPO_ROOT

INSTALL = os.path.join(REPO_ROOT, 'tools', 'install.sh')


def install_sh(*args, root=None, env=None):
    """Run install.sh (a copy under ``root`` when given: its repository
    root is then ``root``)."""
    script = INSTALL
    if root is not None:
        os.makedirs(root / 'tools', exist_ok=True)
        script = shutil.copy(INSTALL, root / 'tools' / 'install.sh')
    environment = {k: v for k, v in os.environ.items()
                   if k not in ('VIRTUAL_ENV', 'WSOL_MM_MMCV_OPS')}
    environment.update(env or {})
    return subprocess.run(['bash', script, *args], capture_output=True,
                          text=True, env=environment, timeout=120)


def test_syntax_and_help():
    assert subprocess.run(['bash', '-n', INSTALL]).returncode == 0
    result = install_sh('--help')
    assert result.returncode == 0
    assert '--with-ops' in result.stdout and '--dry-run' in result.stdout


@pytest.mark.parametrize('args, env, message', [
    (('--ops',), {}, "unknown option '--ops'"),
    ((), {'WSOL_MM_MMCV_OPS': 'yes'},
     "WSOL_MM_MMCV_OPS must be 0 or 1, not 'yes'"),
])
def test_bad_options_are_named(args, env, message):
    result = install_sh(*args, env=env)
    assert result.returncode == 2
    assert message in result.stderr


@pytest.mark.parametrize('args, env, mode', [
    ((), {}, "without mmcv's compiled ops"),
    (('--with-ops',), {}, "with mmcv's compiled ops"),
    ((), {'WSOL_MM_MMCV_OPS': '1'}, "with mmcv's compiled ops"),
])
def test_dry_run_without_an_environment_creates_nothing(tmp_path, args, env,
                                                        mode):
    result = install_sh('--dry-run', *args, root=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert f'dry run, {mode}: would create {tmp_path}/.venv' in result.stderr
    assert not (tmp_path / '.venv').exists()


def fake_venv(root, pythonpath=''):
    """``root/.venv/bin/python``: this interpreter, optionally with a
    PYTHONPATH (the sitecustomize that hides mmcv's ops)."""
    bin_dir = root / '.venv' / 'bin'
    bin_dir.mkdir(parents=True)
    python = bin_dir / 'python'
    python.write_text(f'#!/bin/sh\nPYTHONPATH={pythonpath} '
                      f'exec {sys.executable} "$@"\n')
    python.chmod(0o755)


def plan(tmp_path, *args, pythonpath=''):
    fake_venv(tmp_path, pythonpath)
    result = install_sh('--dry-run', *args, root=tmp_path)
    assert result.returncode == 0, result.stderr
    return [line.split(':', 1)[1].strip() for line in
            result.stderr.splitlines() if line.startswith('[install]   ')]


def test_dry_run_keeps_an_environment_with_ops(tmp_path):
    # The suite's environment has torch and mmcv with ops (run_tests.sh).
    assert plan(tmp_path, '--with-ops') == [
        'keep', 'keep (ops)', 'install (editable) with its requirements']


def test_dry_run_without_ops(tmp_path, no_ops_env):
    """mmcv without ops serves the demo; --with-ops builds mmcv."""
    hide_ops = no_ops_env['PYTHONPATH'].split(os.pathsep)[0]
    assert plan(tmp_path / 'a', pythonpath=hide_ops)[1] == 'keep (no-ops)'
    assert plan(tmp_path / 'b', '--with-ops', pythonpath=hide_ops)[1] == (
        "build mmcv==2.1.0 with its compiled ops")
