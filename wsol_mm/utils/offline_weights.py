"""ImageNet weights named by URL on machines without network.

Configs keep MMEngine's standard ``init_cfg=dict(type='Pretrained',
checkpoint=...)`` (MMEngine and MMPretrain treat the type ``'Pretrained'``
specially: loaded last, no zero-init of residual norms), with a
``torchvision://resnet50`` name or a model-zoo URL (``https://...``, e.g.
MMPretrain's EfficientNet-B7 and DenseNet161). When those weights can be
neither downloaded nor found in the torch hub cache, the loader logs a warning
and returns no weights, so training starts from the random initialisation
instead of failing. A URL the server reports as missing (HTTP 404 / 410) is
still an error, and so is a missing local file.

In a distributed run MMEngine downloads on the first process while the others
wait; offline, that first process returns without reaching their barrier, so
put the weights in the torch hub cache (or point ``init_cfg.checkpoint`` at a
local file) before launching several processes without network.
"""
import logging
from urllib.error import HTTPError

from mmengine.logging import print_log
from mmengine.runner.checkpoint import (CheckpointLoader, load_from_http,
                                        load_from_torchvision)

# HTTP answers meaning "no such file": the URL is wrong, not the network.
MISSING_FILE_STATUS = (404, 410)


def _load_or_warn(load, filename: str, map_location) -> dict:
    """``load(filename)``, or an empty state dict when it cannot download."""
    try:
        return load(filename, map_location=map_location)
    except HTTPError as err:
        if err.code in MISSING_FILE_STATUS:
            raise FileNotFoundError(
                f'pretrained weights "{filename}": the server answered HTTP '
                f'{err.code} ({err.reason}); check init_cfg.checkpoint'
            ) from err
        problem = err
    except OSError as err:  # URLError and socket errors are OSErrors
        problem = err
    print_log(
        f'Could not load pretrained weights "{filename}" '
        f'({type(problem).__name__}: {problem}); the model keeps its random '
        'initialisation. The papers\' numbers need ImageNet weights: put '
        'the file in the torch hub cache or point init_cfg.checkpoint at '
        'a local copy.', logger='current', level=logging.WARNING)
    return {}


def load_torchvision_or_warn(filename: str, map_location=None) -> dict:
    """``load_from_torchvision``, or an empty state dict when offline."""
    return _load_or_warn(load_from_torchvision, filename, map_location)


def load_url_or_warn(filename: str, map_location=None) -> dict:
    """``load_from_http`` (an ``http(s)://`` model-zoo URL), or an empty
    state dict when offline."""
    return _load_or_warn(load_from_http, filename, map_location)


def tolerate_offline_torchvision_weights() -> None:
    """Route ``torchvision://`` (and ``modelzoo://``) through
    :func:`load_torchvision_or_warn` and ``http(s)://`` through
    :func:`load_url_or_warn`."""
    CheckpointLoader.register_scheme(
        prefixes=('modelzoo://', 'torchvision://'),
        loader=load_torchvision_or_warn,
        force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'),
        loader=load_url_or_warn,
        force=True)
