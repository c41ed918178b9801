"""The wsol_mm registries and their reach into MMPretrain and MMDetection."""
import mmengine.registry as mmengine_registry
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope

import wsol_mm.registry as wsol_registry

ROOTS = {
    'MODELS': 'MODELS', 'DATASETS': 'DATASETS', 'TRANSFORMS': 'TRANSFORMS',
    'METRICS': 'METRICS', 'EVALUATORS': 'EVALUATOR', 'HOOKS': 'HOOKS',
    'LOOPS': 'LOOPS', 'OPTIMIZERS': 'OPTIMIZERS',
    'VISUALIZERS': 'VISUALIZERS', 'TASK_UTILS': 'TASK_UTILS',
    'WEIGHT_INITIALIZERS': 'WEIGHT_INITIALIZERS',
}


@pytest.mark.parametrize('name', sorted(ROOTS))
def test_registries_are_children_of_mmengine_roots(name):
    registry = getattr(wsol_registry, name)
    assert registry.scope == 'wsol_mm'
    assert registry.parent is getattr(mmengine_registry, ROOTS[name])
    assert registry._locations  # imported lazily on first build


def test_config_default_scope_is_wsol_mm():
    cfg = Config.fromfile('configs/_base_/default_runtime.py')
    assert cfg.default_scope == 'wsol_mm'


def test_wsol_model_uses_mmpretrain_backbone():
    init_default_scope('wsol_mm')
    model = wsol_registry.MODELS.build(
        dict(type='CAM',
             backbone=dict(type='mmpretrain.ResNet', depth=18,
                           base_channels=8, out_indices=(3, )),
             head=dict(type='CAMHead', num_classes=3, in_channels=64)))
    from mmpretrain.models import ResNet
    assert isinstance(model.backbone, ResNet)
    logits = model(torch.zeros(2, 3, 64, 64), mode='tensor')
    assert logits.shape == (2, 3)


def test_wsol_scope_builds_and_trains_an_mmdet_detector():
    init_default_scope('wsol_mm')
    import mmdet
    cfg = Config.fromfile(
        f'{mmdet.__path__[0]}/.mim/configs/_base_/models/'
        'faster-rcnn_r50_fpn.py')
    cfg.model.backbone.update(depth=18, init_cfg=None)
    cfg.model.neck.in_channels = [64, 128, 256, 512]
    cfg.model.roi_head.bbox_head.num_classes = 2
    detector = wsol_registry.MODELS.build(dict(cfg.model, _scope_='mmdet'))
    assert DefaultScope.get_current_instance().scope_name == 'wsol_mm'
    from mmdet.models.detectors import FasterRCNN
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    assert isinstance(detector, FasterRCNN)

    sample = DetDataSample(metainfo=dict(img_shape=(96, 96),
                                         pad_shape=(96, 96),
                                         batch_input_shape=(96, 96),
                                         scale_factor=(1.0, 1.0)))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([[10., 12., 60., 70.]]),
        labels=torch.tensor([1]))
    data = detector.data_preprocessor(
        dict(inputs=[torch.randint(0, 255, (3, 96, 96), dtype=torch.uint8)],
             data_samples=[sample]), training=True)
    losses = detector(**data, mode='loss')
    assert {'loss_rpn_cls', 'loss_cls', 'loss_bbox'} <= set(losses)
    total = sum(v for k, v in losses.items() if 'loss' in k
                for v in (v if isinstance(v, list) else [v]))
    assert torch.isfinite(total)
