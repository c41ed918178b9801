"""What a user calls: inference, launching configs (tools/train.py,
tools/test.py) and the registration of every module.

The inferencer is imported on first use (``wsol_mm.apis.WSOLInferencer``):
launching a config imports only what the config's registries need.
"""
from .launch import add_common_args, load_config, run
from .setup_env import register_all_modules

__all__ = [
    'add_common_args', 'load_config', 'run', 'register_all_modules',
    'WSOLInferencer', 'WSOLResult'
]
_LAZY = ('WSOLInferencer', 'WSOLResult')


def __getattr__(name: str):
    if name in _LAZY:
        from . import inferencer
        return getattr(inferencer, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
