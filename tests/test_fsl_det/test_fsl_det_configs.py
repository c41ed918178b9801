"""The FSL-Det configs build MMDetection's Faster R-CNN (one class) and
their datasets' pipelines on synthetic layouts found from data_root alone:
training on train-fullsup (val), testing on test."""
import os.path as osp

import pytest
from mmdet.models import FasterRCNN
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.datasets.synthetic_inatloc import generate_synthetic_inatloc
from wsol_mm.datasets.synthetic_wsol_layouts import write_ilsvrc_layout
from wsol_mm.evaluation import DetectionWSOLMetric
from wsol_mm.registry import DATASETS, METRICS, MODELS
from wsol_mm.utils.config import apply_common_overrides

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO_ROOT, 'configs', 'fsl')


def _cub(root):
    """The CUB release layout: 7 train images per class, 5 kept."""
    summary = generate_synthetic_dataset(
        root, num_classes=2, train_per_class=7, test_per_class=2,
        min_size=64, max_size=96, layouts=('cub', ))
    return summary['out_dir'], 'train', 10, 4


def _cubv2(root):
    summary = generate_synthetic_dataset(
        root, num_classes=2, train_per_class=3, test_per_class=1,
        val_per_class=1, min_size=64, max_size=96, layouts=('cub', 'wsol'))
    return summary['images_dir'], 'val', 2, 2


def _ilsvrc(root):
    summary = write_ilsvrc_layout(root, num_classes=2, train_per_class=2,
                                  val_per_class=1, test_per_class=1)
    return summary['data_root'], 'val', 2, 2


def _inatloc(root):
    generate_synthetic_inatloc(
        root, num_genera=1, species_per_genus=2, train_per_class=1,
        val_per_class=1, test_per_class=1, min_size=64, max_size=96)
    return root, 'val', 2, 2


@pytest.mark.parametrize('name, layout', [
    ('cub', _cub), ('cubv2', _cubv2), ('ilsvrc', _ilsvrc),
    ('inatloc500', _inatloc)])
def test_config_builds_detector_and_pipelines(name, layout, tmp_path):
    data_root, train_split, train_size, test_size = layout(
        str(tmp_path / name))
    cfg = Config.fromfile(
        osp.join(CONFIGS, f'fsl_det_faster-rcnn_r50_fpn_{name}.py'))
    apply_common_overrides(cfg, dict(data_root=data_root))
    init_default_scope(cfg.default_scope)

    model = MODELS.build(cfg.model)
    assert type(model) is FasterRCNN
    assert isinstance(model.data_preprocessor, DetDataPreprocessor)
    assert model.roi_head.bbox_head.num_classes == 1
    assert model.backbone.init_cfg == dict(
        type='Pretrained', checkpoint='torchvision://resnet50')
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=16)
    assert cfg.optim_wrapper.optimizer.lr == 0.02
    metric = METRICS.build(cfg.test_evaluator)
    assert isinstance(metric, DetectionWSOLMetric)
    assert metric.loc_boxes == 'predicted'

    train = DATASETS.build(cfg.train_dataloader.dataset)
    test = DATASETS.build(cfg.test_dataloader.dataset)
    train_set = getattr(train, 'dataset', train)  # CUB: a subset of train
    assert train_set.split == train_split and test.split == 'test'
    assert (len(train), len(test)) == (train_size, test_size)
    for dataset in (train, test):
        item = dataset[0]
        sample = item['data_samples']
        assert isinstance(sample, DetDataSample)
        assert item['inputs'].shape[1:] == (224, 224)
        assert len(sample.gt_instances) >= 1
        assert (sample.gt_instances.labels == 0).all()
        assert sample.gt_label == dataset.get_data_info(0)['gt_label']

