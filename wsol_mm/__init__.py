"""wsol_mm: weakly supervised object localization on OpenMMLab."""
from .utils.checkpoint import allow_mmengine_checkpoints
from .utils.offline_weights import tolerate_offline_torchvision_weights
from .version import __version__

# MMEngine 0.10 calls torch.load without weights_only; torch >= 2.6 then refuses
# its own checkpoints unless the types they hold are allow-listed.
allow_mmengine_checkpoints()
# ImageNet weights that cannot be downloaded leave a warning, not a crash.
tolerate_offline_torchvision_weights()

__all__ = ['__version__']
