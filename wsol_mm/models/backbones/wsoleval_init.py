"""wsolevaluation's weight initialisation as MMEngine init configs.

wsolevaluation (``wsol/util.py`` ``initialize_weights``) initialises every
layer of a network before it loads the pretrained weights: Conv2d
``'he'`` = ``kaiming_normal_(mode='fan_out', nonlinearity='relu')`` or
``'xavier'`` = ``xavier_uniform_``, conv bias 0; BatchNorm weight 1, bias 0.
``'he'`` is used by ``VggCam`` (CAM, HaS, CutMix, ADL) and ``ResNetAcol``,
``'xavier'`` by every other class. Layers the checkpoint provides are then
overwritten; new layers (VGG ``conv6``, the InceptionV3 extra convs) keep
this initialisation.
"""
from typing import List, Optional, Union

WSOLEVAL_CONV_INIT = {
    'he': dict(type='Kaiming', layer='Conv2d', mode='fan_out',
               nonlinearity='relu', distribution='normal', bias=0),
    'xavier': dict(type='Xavier', layer='Conv2d', gain=1,
                   distribution='uniform', bias=0),
}


def wsoleval_init_cfg(init_mode: str,
                      init_cfg: Optional[Union[dict, List[dict]]] = None
                      ) -> List[dict]:
    """wsolevaluation's initialisation for ``init_mode`` ('he' | 'xavier'),
    followed by ``init_cfg`` (e.g. ``dict(type='Pretrained', ...)``, which
    MMEngine applies after every other initialiser, so loaded layers get the
    file's values and the others keep wsolevaluation's)."""
    if init_mode not in WSOLEVAL_CONV_INIT:
        raise ValueError(f'init_mode must be one of '
                         f'{sorted(WSOLEVAL_CONV_INIT)}, got {init_mode!r}')
    if init_cfg is None:
        extra = []
    elif isinstance(init_cfg, dict):
        extra = [init_cfg]
    else:
        extra = list(init_cfg)
    return [dict(WSOLEVAL_CONV_INIT[init_mode]),
            dict(type='Constant', layer='BatchNorm2d', val=1, bias=0),
            *extra]
