"""A CAM head whose class maps are Grad-CAM++ (or Grad-CAM) maps."""
from typing import Optional

import torch

from wsol_mm.models.heads import CAMHead
from wsol_mm.registry import MODELS
from .gradient_maps import check_options, gradient_class_maps


@MODELS.register_module()
class GradCAMPPHead(CAMHead):
    """:class:`CAMHead` (same layers, same parameter names, same logits and
    loss) whose :meth:`class_activation_maps` are gradient-weighted maps of
    the head's input feature map (the last convolutional features), so any
    CAM-style localizer with a ``CAMHead`` (``CAM``, ``SPG``, ``MFFNet``, and
    the CAM checkpoints of ADL, HaS, CutMix) localizes with Grad-CAM++ by
    swapping ``model.head.type``; its checkpoints load unchanged.

    Args:
        method (str): ``'gradcam++'`` (default) or ``'gradcam'``.
        score (str, optional): differentiate ``exp(S_c)`` (``'exp'``, the
            Grad-CAM++ paper) or the logit ``S_c`` (``'linear'``, the
            Grad-CAM paper); defaults to each method's own. Either way the
            map changes only by a positive factor, which the min-max
            normalisation of the predictions removes.
        **kwargs: the arguments of :class:`CAMHead`.

    With ``CAMHead``'s GAP + linear classifier (``S_c = sum_k W_ck
    mean(A^k) + b_c``) the gradient ``W_ck / hw`` is constant per channel:
    Grad-CAM is ``relu(CAM) / hw`` and Grad-CAM++'s weights are
    ``exp(S_c) relu(W_ck) / (2 + W_ck mean(A^k))``.
    """

    def __init__(self, method: str = 'gradcam++', score: Optional[str] = None,
                 **kwargs):
        check_options(method, score)
        super().__init__(**kwargs)
        self.method = method
        self.score = score

    def class_activation_maps(self, feature_map: torch.Tensor,
                              class_indices: torch.Tensor,
                              with_bias: bool = False) -> torch.Tensor:
        """(B, K, h, w) gradient maps of the classes ``class_indices``
        (B, K); gradients flow through this head only (eval mode: the
        samples are independent). ``with_bias`` is accepted for
        ``CAMHead``'s callers and changes nothing: a gradient map has no
        bias term (and a constant vanishes in the min-max normalisation)."""
        return gradient_class_maps(self, feature_map, class_indices,
                                   self.method, self.score)
