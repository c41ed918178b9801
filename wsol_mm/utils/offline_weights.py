"""ImageNet weights named ``torchvision://...`` on machines without network.

Configs keep MMEngine's standard ``init_cfg=dict(type='Pretrained',
checkpoint='torchvision://resnet50')`` (MMEngine and MMPretrain treat the type
``'Pretrained'`` specially: loaded last, no zero-init of residual norms). When
those weights can be neither downloaded nor found in the torch hub cache, the
``torchvision://`` loader logs a warning and returns no weights, so training
starts from the random initialisation instead of failing. Local paths and
other URLs are untouched: a missing local file is still an error.
"""
import logging

from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader, load_from_torchvision


def load_torchvision_or_warn(filename: str, map_location=None) -> dict:
    """``load_from_torchvision``, or an empty state dict when offline."""
    try:
        return load_from_torchvision(filename, map_location=map_location)
    except OSError as err:  # URLError and socket errors are OSErrors
        print_log(
            f'Could not load pretrained weights "{filename}" '
            f'({type(err).__name__}: {err}); the model keeps its random '
            'initialisation. The papers\' numbers need ImageNet weights: put '
            'the file in the torch hub cache or point init_cfg.checkpoint at '
            'a local copy.', logger='current', level=logging.WARNING)
        return {}


def tolerate_offline_torchvision_weights() -> None:
    """Route ``torchvision://`` (and ``modelzoo://``) through
    :func:`load_torchvision_or_warn`."""
    CheckpointLoader.register_scheme(
        prefixes=('modelzoo://', 'torchvision://'),
        loader=load_torchvision_or_warn,
        force=True)
