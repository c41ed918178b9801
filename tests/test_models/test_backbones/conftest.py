"""Fixtures of the backbone tests: torchvision weights with random values
saved to a file, and a backbone loaded from such a file with MMEngine's
report of the keys it did not match."""
import re

import pytest
import torch
from mmengine.registry import init_default_scope

import wsol_mm  # noqa: F401  (registers the backbones)
from wsol_mm.models.utils import OutputRecorder
from wsol_mm.registry import MODELS

_MISMATCH = 'do not match exactly'


def _random_state(model: torch.nn.Module, seed: int,
                  placeholders: tuple) -> dict:
    """A state dict for ``model`` with values that no initialiser produces:
    weights N(0, 2 / fan_in), norm scales and running variances in
    [0.5, 1.5], biases and running means N(0, 0.1), counters 0. Keys
    starting with ``placeholders`` (layers our backbones drop, e.g. VGG's
    400 MB classifier) hold zeros of the right shape that take no memory."""
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for key, value in model.state_dict().items():
        if key.startswith(placeholders) or not value.is_floating_point():
            state[key] = torch.zeros((), dtype=value.dtype).expand(
                value.shape)
        elif value.dim() > 1:
            fan_in = value[0].numel()
            state[key] = torch.randn(value.shape, generator=generator) * (
                2 / fan_in)**0.5
        elif key.endswith(('.weight', 'running_var')):
            state[key] = 0.5 + torch.rand(value.shape, generator=generator)
        else:
            state[key] = 0.1 * torch.randn(value.shape, generator=generator)
    return state


@pytest.fixture(scope='session')
def torchvision_checkpoint(tmp_path_factory):
    """``torchvision_checkpoint(name, build, placeholders=())``:
    ``(model, path)``, the torchvision model ``build()`` in eval mode with
    random values (see :func:`_random_state`) and the file holding its
    state dict; made once per session per name."""
    made = {}

    def make(name, build, placeholders=()):
        if name not in made:
            with torch.device('meta'):  # no time spent on initialisers
                model = build()
            model.to_empty(device='cpu')
            state = _random_state(model, seed=1,
                                  placeholders=tuple(placeholders))
            model.load_state_dict(state)
            path = tmp_path_factory.mktemp(name) / f'{name}.pth'
            torch.save(state, path)
            made[name] = (model.eval(), str(path))
        return made[name]

    return make


def _reported_keys(warnings, which: str) -> set:
    """The keys of MMEngine's ``load_state_dict`` report line ``which``
    ('unexpected key in source state_dict' / 'missing keys in source
    state_dict')."""
    keys = set()
    for message in warnings:
        if _MISMATCH not in message:
            continue
        found = re.search(which + r': (.*)', message)
        if found:
            keys |= set(found.group(1).split(', '))
    return keys


@pytest.fixture
def load_pretrained(log_records):
    """``load_pretrained(cfg, path)``: ``(backbone, missing, unexpected)``:
    the backbone built from ``cfg`` with ``init_cfg=dict(type='Pretrained',
    checkpoint=path)`` after ``init_weights()``, in eval mode, and the keys
    MMEngine reported missing from / unexpected in the file."""

    def load(cfg, path):
        init_default_scope('wsol_mm')
        backbone = MODELS.build(
            dict(cfg, init_cfg=dict(type='Pretrained', checkpoint=path)))
        backbone.init_weights()
        backbone.eval()
        warnings = log_records.warnings()
        return (backbone,
                _reported_keys(warnings, 'missing keys in source state_dict'),
                _reported_keys(warnings,
                               'unexpected key in source state_dict'))

    return load


@pytest.fixture
def build_backbone():
    """``build_backbone(cfg)``: the backbone after ``init_weights()``, in
    eval mode."""

    def build(cfg):
        init_default_scope('wsol_mm')
        backbone = MODELS.build(cfg)
        backbone.init_weights()
        backbone.eval()
        return backbone

    return build


@pytest.fixture
def check_feature_maps():
    """``check_feature_maps(backbone, channels, size, taps={})``: a 224x224
    input gives the one-tuple of a (channels, size, size) map,
    ``out_channels`` is ``channels`` and each named submodule of ``taps``
    outputs its ``(channels, size)``."""

    def check(backbone, channels, size, taps=()):
        taps = dict(taps)
        recorder = OutputRecorder(backbone, taps)
        with torch.no_grad():
            outputs = backbone(torch.randn(1, 3, 224, 224))
        assert isinstance(outputs, tuple) and len(outputs) == 1
        assert outputs[0].shape == (1, channels, size, size)
        assert backbone.out_channels == channels
        for name, (tap_channels, tap_size) in taps.items():
            assert recorder[name].shape == (1, tap_channels, tap_size,
                                            tap_size)

    return check
