"""Pretrained weights that may be out of reach (offline machines)."""
import logging
import os.path as osp

from mmengine.logging import print_log
from mmengine.model.weight_init import PretrainedInit

from wsol_mm.registry import WEIGHT_INITIALIZERS


@WEIGHT_INITIALIZERS.register_module()
class OptionalPretrained(PretrainedInit):
    """``Pretrained`` for remote weights (URLs, ``torchvision://``) that keeps
    the random initialisation, with a warning in the log, when they cannot be
    downloaded. A local path that does not exist is still an error."""

    def __call__(self, module):
        if '://' not in self.checkpoint and not osp.isfile(self.checkpoint):
            raise FileNotFoundError(
                f'init_cfg checkpoint "{self.checkpoint}" does not exist')
        try:
            super().__call__(module)
        except (OSError, RuntimeError) as err:
            if '://' not in self.checkpoint:
                raise
            print_log(
                f'Could not load pretrained weights "{self.checkpoint}" '
                f'({type(err).__name__}: {err}). {type(module).__name__} '
                'starts from a random initialisation; the papers\' numbers '
                'need ImageNet weights: put a local file in init_cfg.'
                'checkpoint.', logger='current', level=logging.WARNING)
