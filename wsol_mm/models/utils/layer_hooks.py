"""Layers inserted after, and outputs read from, named submodules of a
network, without changing the network's parameter names (so that its
pretrained weights still load by name)."""
from functools import partial
from typing import Dict, Iterable, Optional

import torch.nn as nn

from wsol_mm.registry import MODELS


def named_submodule(network: nn.Module, name: str) -> nn.Module:
    """``network.get_submodule(name)`` with an error that lists the
    top-level names when ``name`` is not there."""
    try:
        return network.get_submodule(name)
    except AttributeError:
        children = ', '.join(n for n, _ in network.named_children())
        raise KeyError(
            f'{type(network).__name__} has no submodule "{name}"; its '
            f'top-level modules are: {children}') from None


class _ApplyAfter:
    """A forward hook replacing a module's output by ``layer(output)``."""

    def __init__(self, layer: nn.Module):
        self.layer = layer

    def __call__(self, module, inputs, output):
        return self.layer(output)


def insert_after(network: nn.Module, names: Iterable[str],
                 layer_cfg: dict) -> nn.ModuleDict:
    """Apply a new layer built from ``layer_cfg`` to the output of each
    submodule of ``network`` named in ``names`` (e.g. ``'layer3.0'``).

    Returns the layers in a ``ModuleDict`` keyed by the names with ``'.'``
    replaced by ``'_'``; the caller keeps it as a child module so that the
    layers follow ``train()`` / ``eval()`` / ``to()`` and the state dict.
    """
    layers = nn.ModuleDict()
    for name in names:
        target = named_submodule(network, name)
        layer = MODELS.build(layer_cfg)
        layers[name.replace('.', '_')] = layer
        target.register_forward_hook(_ApplyAfter(layer))
    return layers


class OutputRecorder:
    """Keeps the latest output of named submodules of a network.

    ``recorder = OutputRecorder(backbone, ['layer3.0', 'layer3'])``; after
    ``backbone(x)``, ``recorder.outputs['layer3.0']`` is that block's output
    of this forward pass.
    """

    def __init__(self, network: nn.Module, names: Iterable[str]):
        self.names = tuple(names)
        self.outputs: Dict[str, object] = {}
        for name in self.names:
            named_submodule(network, name).register_forward_hook(
                partial(self._store, name))

    def _store(self, name: str, module, inputs, output) -> None:
        self.outputs[name] = output

    def __getitem__(self, name: str):
        if name not in self.outputs:
            raise KeyError(f'no output of "{name}" recorded yet (recorded: '
                           f'{sorted(self.outputs)}); run the network first')
        return self.outputs[name]

    def pop_all(self) -> Optional[Dict[str, object]]:
        """The outputs of the last forward pass, forgetting them."""
        outputs, self.outputs = self.outputs, {}
        return outputs
