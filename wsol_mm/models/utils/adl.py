"""Attention-based Dropout Layer (Choe and Shim, CVPR 2019)."""
import torch
import torch.nn as nn

from wsol_mm.registry import MODELS


@MODELS.register_module()
class ADL(nn.Module):
    """Hide the most discriminative part of a feature map, or highlight it.

    In training, for a (B, C, h, w) input ``x``: the self-attention map is
    the channel mean ``a = mean_c x`` (B, 1, h, w); the importance map is
    ``sigmoid(a)``; the drop mask is ``a < gamma * max_hw(a)`` (maximum over
    the positions of each image). One Bernoulli draw per forward, shared by
    the whole batch (``floor(torch.rand([]) + drop_rate)``, torch's global
    CPU generator, as wsolevaluation's ``wsol/method/adl.py``), chooses the
    drop mask (with probability ``drop_rate``) or the importance map; the
    output is ``x`` times that map. Identity in eval mode.

    wsolevaluation applies it to block outputs (after the ReLU): ResNet-50
    ``layer3.0``, ``layer4.0``, ``layer4.2``; VGG16 after pool3, after
    conv4_3's ReLU (before pool4) and after conv5_3's ReLU; InceptionV3 after
    Mixed_5d (before the pool), after Mixed_6e and after ``SPG_A3_2b``'s
    ReLU. Its defaults: ``adl_drop_rate 0.75``, ``adl_threshold 0.9`` (the
    class default 0.8 is overridden by its ``config.py``).

    Args:
        drop_rate (float): Probability of the drop mask, in [0, 1].
        gamma (float): Drop threshold as a fraction of the per-image maximum
            of the attention map, in [0, 1].
    """

    def __init__(self, drop_rate: float = 0.75, gamma: float = 0.9):
        super().__init__()
        for key, value in (('drop_rate', drop_rate), ('gamma', gamma)):
            if not 0 <= value <= 1:
                raise ValueError(f'ADL {key} must be in [0, 1], got {value}')
        self.drop_rate = float(drop_rate)
        self.gamma = float(gamma)

    def drop_mask(self, attention: torch.Tensor) -> torch.Tensor:
        """1 where ``attention`` (B, 1, h, w) is below ``gamma`` times its
        image's maximum, else 0 (in ``attention``'s dtype)."""
        peak = attention.flatten(1).max(dim=1).values.view(-1, 1, 1, 1)
        return (attention < self.gamma * peak).to(attention.dtype)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        attention = x.mean(dim=1, keepdim=True)
        drop = bool(torch.floor(torch.rand([]) + self.drop_rate))
        selected = (self.drop_mask(attention) if drop else
                    torch.sigmoid(attention))
        return x * selected

    def extra_repr(self) -> str:
        return f'drop_rate={self.drop_rate}, gamma={self.gamma}'
