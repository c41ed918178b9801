"""Lets ``python tools/<script>.py`` run in the repository's ``.venv``.

When the interpreter that started a tool lacks the OpenMMLab stack and the
repository has the ``.venv`` made by ``tools/install.sh``, the tool re-runs
itself with that environment's Python.
"""
import importlib.util
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def use_repo_venv() -> None:
    if importlib.util.find_spec('mmengine') is not None:
        # The repository root: wsol_mm without installing it, and
        # projects.<name> for a config's custom_imports.
        if REPO_ROOT not in sys.path:
            sys.path.insert(0, REPO_ROOT)
        return
    venv_python = os.path.join(REPO_ROOT, '.venv', 'bin', 'python')
    if os.path.abspath(sys.executable) == venv_python or \
            not os.path.exists(venv_python):
        sys.exit('wsol_mm needs its environment: run `bash tools/install.sh` '
                 '(or the README quick start) and `source .venv/bin/activate`.')
    os.execv(venv_python, [venv_python] + sys.argv)
