"""wsol_mm: weakly supervised object localization on OpenMMLab."""
from .utils.checkpoint import allow_mmengine_checkpoints
from .version import __version__

# MMEngine 0.10 calls torch.load without weights_only; torch >= 2.6 then refuses
# its own checkpoints unless the types they hold are allow-listed.
allow_mmengine_checkpoints()

__all__ = ['__version__']
