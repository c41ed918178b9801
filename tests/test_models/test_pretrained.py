"""Pretrained backbone weights: mmengine's ``Pretrained`` on torchvision-style
and full MMEngine checkpoints, and ``torchvision://`` weights offline."""
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.model import BaseModule
from mmengine.registry import init_default_scope

import wsol_mm  # noqa: F401  (allow-lists MMEngine checkpoint types)
from wsol_mm.registry import MODELS

@pytest.fixture(scope='module')
def torchvision_state():
    """A torchvision ResNet-18 state dict (incl. ``fc``) with random values
    that no initialiser produces."""
    torchvision = pytest.importorskip('torchvision')
    torch.manual_seed(0)
    state = torchvision.models.resnet18(weights=None).state_dict()
    for value in state.values():
        if value.is_floating_point():
            value.normal_()
    return state


def _backbone(init_cfg, depth=18, **kwargs):
    init_default_scope('wsol_mm')
    backbone = MODELS.build(
        dict(type='mmpretrain.ResNet', depth=depth, out_indices=(3, ),
             init_cfg=init_cfg, **kwargs))
    backbone.init_weights()
    return backbone


def _assert_loaded(backbone, state):
    loaded = backbone.state_dict()
    # Every backbone tensor (torchvision and mmpretrain share the names)...
    assert set(loaded) == set(state) - {'fc.weight', 'fc.bias'}
    for key in ('conv1.weight', 'bn1.running_var', 'layer1.0.bn2.weight',
                'layer2.0.downsample.0.weight', 'layer4.1.conv2.weight'):
        assert torch.equal(loaded[key], state[key]), key
    # ...and all of them, none left at its random initialisation.
    assert [k for k in loaded if not torch.equal(loaded[k], state[k])] == []


def test_pretrained_loads_torchvision_state_dict(tmp_path, torchvision_state):
    path = str(tmp_path / 'resnet18_tv.pth')
    torch.save(torchvision_state, path)
    backbone = _backbone(dict(type='Pretrained', checkpoint=path))
    _assert_loaded(backbone, torchvision_state)


def test_pretrained_loads_full_mmengine_checkpoint(tmp_path,
                                                   torchvision_state):
    hub = MessageHub.get_instance('test_pretrained_full_checkpoint')
    hub.update_scalar('train/loss', np.float32(0.25))
    hub.update_scalar('train/lr', np.float64(0.01))
    hub.update_scalar('train/accuracy', 75.0)
    hub.update_info('iter', 10)
    checkpoint = dict(
        meta=dict(epoch=3, iter=np.int64(120), seed=np.int32(42),
                  best_score=np.float64(61.5), mmengine_version='0.10.7'),
        state_dict={f'backbone.{k}': v for k, v in torchvision_state.items()},
        message_hub=hub.state_dict())
    path = str(tmp_path / 'epoch_3.pth')
    torch.save(checkpoint, path)
    # The model-level keys carry a 'backbone.' prefix: load it via prefix.
    backbone = _backbone(dict(type='Pretrained', checkpoint=path,
                              prefix='backbone.'))
    _assert_loaded(backbone, torchvision_state)
    # Without prefix, a checkpoint whose state_dict has backbone keys as is.
    checkpoint['state_dict'] = dict(torchvision_state)
    torch.save(checkpoint, path)
    _assert_loaded(_backbone(dict(type='Pretrained', checkpoint=path)),
                   torchvision_state)


def test_missing_local_checkpoint_raises(tmp_path):
    missing = str(tmp_path / 'no_such_weights.pth')
    with pytest.raises(FileNotFoundError, match='no_such_weights.pth'):
        _backbone(dict(type='Pretrained', checkpoint=missing),
                  base_channels=8)


def test_unreachable_torchvision_weights_keep_random_init(monkeypatch,
                                                         log_records):
    """Offline, ``torchvision://`` weights leave a warning and the random
    initialisation instead of stopping the run."""
    import urllib.error

    import wsol_mm.utils.offline_weights as offline

    def no_network(filename, map_location=None):
        raise urllib.error.URLError('Name or service not known')

    monkeypatch.setattr(offline, 'load_from_torchvision', no_network)
    init_default_scope('wsol_mm')
    torch.manual_seed(0)
    backbone = MODELS.build(
        dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
             out_indices=(3, ), zero_init_residual=False,
             init_cfg=dict(type='Pretrained',
                           checkpoint='torchvision://resnet18')))
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    backbone.init_weights()
    after = backbone.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    warnings = log_records.warnings()
    assert any('torchvision://resnet18' in m and 'random initialisation' in m
               for m in warnings), warnings


def test_reachable_torchvision_weights_load(monkeypatch, torchvision_state):
    import wsol_mm.utils.offline_weights as offline
    requested = []

    def fake_download(filename, map_location=None):
        requested.append(filename)
        return dict(torchvision_state)

    monkeypatch.setattr(offline, 'load_from_torchvision', fake_download)
    backbone = _backbone(dict(type='Pretrained',
                              checkpoint='torchvision://resnet18'))
    assert requested == ['torchvision://resnet18']
    _assert_loaded(backbone, torchvision_state)


def test_cam_r50_config_backbone_keeps_pretrained_weights(
        tmp_path, torchvision_state):
    """The backbone of configs/_base_/models/cam_r50.py (depth reduced to 18
    for speed, checkpoint pointed at a local file) keeps every loaded weight:
    mmpretrain's ResNet zero-initialises the last norm of each residual block
    unless the init type is literally ``'Pretrained'``."""
    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(
        osp.join(root, 'configs', '_base_', 'models', 'cam_r50.py'))
    backbone_cfg = cfg.model.backbone.to_dict()
    assert backbone_cfg['init_cfg'] == dict(
        type='Pretrained', checkpoint='torchvision://resnet50')
    path = str(tmp_path / 'resnet18_tv.pth')
    torch.save(torchvision_state, path)
    backbone_cfg['init_cfg']['checkpoint'] = path
    backbone_cfg['depth'] = 18
    init_default_scope('wsol_mm')
    backbone = MODELS.build(backbone_cfg)
    backbone.init_weights()
    _assert_loaded(backbone, torchvision_state)


class _Child(BaseModule):

    def __init__(self):
        super().__init__(init_cfg=dict(type='Constant', layer='Linear',
                                       val=0.0, bias=0.0))
        self.fc = nn.Linear(3, 2)


class _Parent(BaseModule):

    def __init__(self, init_cfg):
        super().__init__(init_cfg=init_cfg)
        self.child = _Child()


def test_pretrained_weights_win_over_child_init_cfg(tmp_path):
    """MMEngine applies ``Pretrained`` after the children's own
    initialisation so that the loaded weights win."""
    torch.manual_seed(0)
    state = {'child.fc.weight': torch.randn(2, 3) + 5,
             'child.fc.bias': torch.randn(2) + 5}
    path = str(tmp_path / 'parent.pth')
    torch.save(state, path)
    init_default_scope('wsol_mm')
    parent = _Parent(dict(type='Pretrained', checkpoint=path))
    parent.init_weights()
    assert torch.equal(parent.child.fc.weight, state['child.fc.weight'])
    assert torch.equal(parent.child.fc.bias, state['child.fc.bias'])
