"""ResNet of wsolevaluation (``wsol/resnet.py``): layer4 at stride 1."""
from typing import List, Optional, Sequence, Union

from mmpretrain.models.backbones.resnet import ResNet

from wsol_mm.registry import MODELS
from .wsoleval_init import wsoleval_init_cfg


@MODELS.register_module()
class ResNetWSOL(ResNet):
    """MMPretrain's ResNet with wsolevaluation's strides.

    Stages strides (1, 2, 2, 1): stride 16, 14x14 at 224; with
    ``large_feature_map`` (1, 2, 1, 1): 28x28. layer4 is always stride 1 and
    no stage is dilated (torchvision Bottleneck: the stride sits in conv2,
    ``style='pytorch'``). The residual norms are not zero-initialised
    (wsolevaluation does not; MMPretrain's switch would also zero them after
    a ``Pretrained`` given in a list). Parameter names are torchvision's, so
    ``torchvision://resnet50`` loads as is (``fc.*`` unexpected).

    Args:
        depth (int): 18, 34, 50, 101 or 152.
        large_feature_map (bool): layer3 at stride 1.
        out_indices (Sequence[int]): stages whose outputs are returned.
        init_mode (str): wsolevaluation's initialisation of layers that no
            checkpoint overwrites: 'xavier' (ResNetCam / Spg / Adl) or 'he'
            (ResNetAcol).
        init_cfg (dict | list[dict], optional): applied after that
            initialisation, e.g. ``dict(type='Pretrained',
            checkpoint='torchvision://resnet50')``.
        **kwargs: other :class:`mmpretrain.models.ResNet` arguments.
    """

    FIXED = ('strides', 'dilations', 'style', 'zero_init_residual')

    def __init__(self,
                 depth: int = 50,
                 large_feature_map: bool = False,
                 out_indices: Sequence[int] = (3, ),
                 init_mode: str = 'xavier',
                 init_cfg: Optional[Union[dict, List[dict]]] = None,
                 **kwargs):
        fixed = sorted(set(kwargs) & set(self.FIXED))
        if fixed:
            raise TypeError(f'ResNetWSOL sets {", ".join(fixed)} itself '
                            '(use large_feature_map for the strides)')
        super().__init__(
            depth=depth,
            strides=(1, 2, 1, 1) if large_feature_map else (1, 2, 2, 1),
            dilations=(1, 1, 1, 1),
            out_indices=out_indices,
            style='pytorch',
            zero_init_residual=False,
            init_cfg=wsoleval_init_cfg(init_mode, init_cfg),
            **kwargs)
