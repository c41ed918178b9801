"""ACoL: adversarial complementary learning (Zhang et al., CVPR 2018)."""
from typing import List, Optional

from wsol_mm.registry import MODELS
from ..heads.acol_head import ACoLHead
from .cam import CAM


@MODELS.register_module()
class ACoL(CAM):
    """Backbone (+ neck) + :class:`ACoLHead`, as wsolevaluation trains and
    evaluates it (``wsol/method/acol.py``).

    Training: ``loss_cls_a + loss_cls_b``, classifier B erased with the
    ground-truth label. ``predict`` gives :class:`CAM`'s outputs:
    ``pred_score`` is A's softmax; the map of class ``k`` is
    ``max(norm(A_k), norm(B_k))`` (per-class spatial min-max) with B erased
    with class ``k``: with the ground-truth class for ``gt_score_map`` (as
    wsolevaluation's ``return_cam`` with the targets) and with each of the
    ``test_cfg['topk']`` predicted classes for ``pred_score_maps``; then
    the usual bicubic resize to the image grid and min-max.

    Args:
        backbone (dict): its last output is the feature map (ResNet-50
            layer4, VGG16 with wsolevaluation's ACoL pools and no conv6,
            InceptionV3 up to Mixed_6e).
        head (dict): ``ACoLHead`` config.
        neck, plugins, data_preprocessor, test_cfg, init_cfg: see
            :class:`FeatureLocalizer`.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 plugins: Optional[List[dict]] = None,
                 data_preprocessor: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(backbone, head, neck, plugins, data_preprocessor,
                         test_cfg, init_cfg)
        if not isinstance(self.head, ACoLHead):
            raise TypeError('ACoL needs head=dict(type=\'ACoLHead\', ...), '
                            f'got {type(self.head).__name__}')
