"""What a user calls: inference, launching configs (tools/train.py,
tools/test.py) and the registration of every module."""
from .inferencer import WSOLInferencer, WSOLResult
from .launch import add_common_args, load_config, run
from .setup_env import register_all_modules

__all__ = [
    'add_common_args', 'load_config', 'run', 'register_all_modules',
    'WSOLInferencer', 'WSOLResult'
]
