from .checkpoint import allow_mmengine_checkpoints
from .config import apply_common_overrides
from .distributed import init_cpu_distributed, shutdown_distributed

__all__ = [
    'allow_mmengine_checkpoints', 'apply_common_overrides',
    'init_cpu_distributed', 'shutdown_distributed'
]
