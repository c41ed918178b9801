"""Gradient-weighted class maps: Grad-CAM and Grad-CAM++.

Both weight the channels ``A^k`` (B, C, h, w) of a feature map by the
gradients ``g = dS_c / dA^k`` of a class score and keep the positive part of
the weighted sum (Grad-CAM++, Chattopadhay et al., WACV 2018; equation
numbers from memory of the arXiv version 1710.11063, the unsure ones marked
[A]):

- Grad-CAM (Selvaraju et al., ICCV 2017, Eq. 1-2): ``w_k = mean_ij g_ij``,
  ``L = relu(sum_k w_k A^k)``.
- Grad-CAM++: ``w_k = sum_ij alpha_ij relu(dY_c / dA^k_ij)`` (Eq. 5 [A]) with
  ``Y_c = exp(S_c)`` (sec. 3.3 [A]); for a network piecewise linear in ``A``
  the second and third derivatives of ``Y_c`` are ``exp(S_c) g^2`` and
  ``exp(S_c) g^3`` and the general alphas (Eq. 10 [A]) become Eq. 19:
  ``alpha_ij = g_ij^2 / (2 g_ij^2 + sum_ab A^k_ab g_ij^3)``; the map is
  ``relu(sum_k w_k A^k)`` (the Grad-CAM map with the new weights [A]).
"""
from typing import Callable, Optional

import torch

METHODS = ('gradcam++', 'gradcam')
# What is differentiated: the class score S_c ('linear') or exp(S_c)
# ('exp', Grad-CAM++'s Y_c); exp only scales a map by exp(S_c) > 0.
SCORES = ('exp', 'linear')
# Each paper's own choice when ``score`` is not given.
DEFAULT_SCORES = {'gradcam++': 'exp', 'gradcam': 'linear'}


def check_options(method: str, score: Optional[str]) -> str:
    """``score`` or the method's default; ``ValueError`` naming the key at
    fault for an unknown ``method`` / ``score``."""
    if method not in METHODS:
        raise ValueError(f'method must be one of {METHODS}, got {method!r}')
    score = DEFAULT_SCORES[method] if score is None else score
    if score not in SCORES:
        raise ValueError(f'score must be one of {SCORES}, got {score!r}')
    return score


def gradcam_weights(activations: torch.Tensor,
                    grads: torch.Tensor) -> torch.Tensor:
    """(B, C) Grad-CAM weights: the spatial mean of the gradients."""
    return grads.mean(dim=(2, 3))


def gradcampp_weights(activations: torch.Tensor,
                      grads: torch.Tensor) -> torch.Tensor:
    """(B, C) Grad-CAM++ weights ``sum_ij alpha_ij relu(g_ij)`` with the
    alphas of Eq. 19, from the gradients ``g`` of ``S_c`` (the factor
    ``exp(S_c)`` of ``relu(dY_c/dA)`` is left to the caller). Where the
    denominator is 0 the alpha is 0 (there ``g = 0``, or features of mixed
    sign cancel; the authors' code also avoids dividing by 0)."""
    grads_2 = grads ** 2
    total = activations.sum(dim=(2, 3), keepdim=True)
    denominator = 2 * grads_2 + total * grads_2 * grads
    nonzero = denominator != 0
    alphas = torch.where(
        nonzero, grads_2 / torch.where(nonzero, denominator, 1.),
        torch.zeros_like(grads))
    return (alphas * grads.relu()).sum(dim=(2, 3))


WEIGHTS = {'gradcam++': gradcampp_weights, 'gradcam': gradcam_weights}


def gradient_class_maps(logits_of: Callable[[torch.Tensor], torch.Tensor],
                        feature_map: torch.Tensor,
                        class_indices: torch.Tensor,
                        method: str = 'gradcam++',
                        score: Optional[str] = None) -> torch.Tensor:
    """(B, K, h, w) maps of the classes ``class_indices`` (B, K).

    ``logits_of`` maps the (B, C, h, w) ``feature_map`` to the class scores
    (B, num_classes) ``S``, each sample on its own (a head in eval mode).
    Gradients are taken with respect to a detached copy of the feature map,
    so only ``logits_of`` is differentiated; this works under
    ``torch.no_grad()`` (MMEngine's val/test loops) and
    ``torch.inference_mode()``. The maps carry no autograd graph.

    Raises ``ValueError`` when ``score='exp'`` overflows (``exp(S_c)`` is not
    finite): ``score='linear'`` gives the same map up to a positive factor.
    """
    score = check_options(method, score)
    with torch.inference_mode(False), torch.enable_grad():
        activations = feature_map.detach().clone().requires_grad_(True)
        logits = logits_of(activations)
        features = activations.detach()
        # Clones: tensors made under inference_mode cannot enter autograd.
        columns = class_indices.t().to(logits.device).clone()
        maps = []
        for k, labels in enumerate(columns):
            class_scores = logits.gather(1, labels[:, None])[:, 0]
            grads, = torch.autograd.grad(
                class_scores.sum(), activations,
                retain_graph=k + 1 < len(columns))
            weights = WEIGHTS[method](features, grads)
            if score == 'exp':
                factor = class_scores.detach().exp()
                if not torch.isfinite(factor).all():
                    raise ValueError(
                        f"score='exp': exp(S_c) overflows for a class score "
                        f'of {class_scores.max().item():.1f}; use '
                        "score='linear' (the same map up to a positive "
                        'factor)')
                weights = weights * factor[:, None]
            maps.append(torch.einsum('bc,bchw->bhw', weights,
                                     features).relu())
    return torch.stack(maps, dim=1)
