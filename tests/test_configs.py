"""Every config under configs/ parses and builds its model and datasets' types."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.registry import DATASETS, METRICS, MODELS
from wsol_mm.utils.config import fill_num_classes

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Study configs (a `study` dict, no runner of their own) are checked in
# tests/test_studies/test_granularity_configs.py.
STUDY_CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', 'granularity', '*.py')))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                         recursive=True)
    if '_base_' not in p and p not in STUDY_CONFIGS)


def test_configs_are_found():
    names = {osp.relpath(p, REPO_ROOT) for p in CONFIGS}
    assert {'configs/cam/cam_r50_cub.py', 'configs/cam/cam_r18_demo.py'} <= names
    studies = {osp.basename(p) for p in STUDY_CONFIGS}
    assert studies == {'granularity_demo.py', 'granularity_inatloc500.py',
                       'granularity_cub.py', 'granularity_fgvc_aircraft.py'}


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(p, REPO_ROOT) for p in CONFIGS])
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'wsol_mm'
    init_default_scope('wsol_mm')
    model_cfg = cfg.model.copy()
    if 'backbone' in model_cfg:
        model_cfg.backbone.init_cfg = None  # no download in tests
    fill_num_classes(model_cfg, 2)  # None: counted from the dataset
    model = MODELS.build(model_cfg)
    if cfg.model.get('_scope_') == 'mmdet':  # FSL-Det: one foreground class
        assert model.roi_head.bbox_head.num_classes == 1
    else:
        assert model.test_cfg['cam_threshold'] == 0.2
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            assert DATASETS.get(cfg[key].dataset.type) is not None
    assert METRICS.get(cfg.test_evaluator.type) is not None


def test_cam_r50_cub_follows_the_wsolevaluation_recipe():
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs/cam/cam_r50_cub.py'))
    assert cfg.model.backbone.depth == 50
    assert cfg.model.backbone.large_feature_map is False  # 14x14 at 224
    assert cfg.model.head.num_classes is None  # the dataset's: 200
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == (
        'SGD', 1.7e-4, 1e-4)
    # Built optimizer, scheduler and feature map: tests/test_cam_recipe.py.
    custom_keys = cfg.optim_wrapper.paramwise_cfg.custom_keys
    assert custom_keys.head.lr_mult == 10
    assert custom_keys['backbone.layer4'].lr_mult == 10
    assert cfg.param_scheduler.type == 'MultiStepLR'
    assert cfg.param_scheduler.milestones == [14, 29, 44]
    assert cfg.train_cfg.max_epochs == 50
    assert cfg.train_dataloader.batch_size == 32
    test_sizes = [t['size'] for t in cfg.test_dataloader.dataset.pipeline
                  if t['type'] == 'Resize']
    assert test_sizes == [(224, 224)]


PIPELINE_CONFIGS = [p for p in CONFIGS if osp.basename(osp.dirname(p)) in
                    ('spol', 'isic')]


@pytest.mark.parametrize(
    'path', PIPELINE_CONFIGS,
    ids=[osp.relpath(p, REPO_ROOT) for p in PIPELINE_CONFIGS])
def test_pipeline_config_stages_resolve(path, tmp_path):
    """Every stage builds; every training stage's model type, metric types
    and pipeline transforms are registered (demo configs: models built)."""
    from wsol_mm.pipelines import MultiStagePipeline, TrainStage
    from wsol_mm.registry import TRANSFORMS
    cfg = Config.fromfile(path)
    cfg.work_dir = str(tmp_path)
    pipeline = MultiStagePipeline(cfg)
    assert list(pipeline.stages)[0] == 'cam'
    for stage in pipeline.stages.values():
        if not isinstance(stage, TrainStage):
            continue
        stage_cfg = stage.runner_cfg(resolve=False)
        assert MODELS.get(stage_cfg.model.type) is not None
        for metric in [stage_cfg.test_evaluator]:
            assert METRICS.get(metric.type) is not None
        for key in ('train_dataloader', 'test_dataloader'):
            for transform in stage_cfg[key].dataset.pipeline:
                assert TRANSFORMS.get(transform['type']) is not None
        if 'demo' in path:
            model_cfg = stage_cfg.model.copy()
            model_cfg.pop('_delete_', None)
            for part in ('head', 'aux_head'):
                if model_cfg.get(part) and 'num_classes' in model_cfg[part]:
                    model_cfg[part].num_classes = 4
            MODELS.build(model_cfg)


def test_spol_and_isic_follow_their_papers():
    spol = Config.fromfile(osp.join(REPO_ROOT, 'configs/spol/spol_r50_cub.py'))
    assert spol.train_cfg.max_epochs == 32
    assert spol.optim_wrapper.optimizer.lr == 0.02  # new layers
    assert spol.optim_wrapper.paramwise_cfg.custom_keys.backbone.lr_mult == \
        0.1  # 0.002 for the pretrained backbone
    assert spol.get('param_scheduler') is None  # constant
    assert spol.model.neck.fusion == 'mul' and spol.model.neck.num_fused == 3
    masks = spol.stages.pseudo_masks
    assert (masks.fg_threshold, masks.bg_threshold) == (0.5, 0.004)
    assert masks.enhance == dict(type='GaussianPriorEnhance',
                                 fg_threshold=0.7)
    assert [t['type'] for t in spol.test_dataloader.dataset.pipeline] == [
        'LoadWSOLImageFromFile', 'Resize', 'CenterCrop', 'PackWSOLInputs']
    assert spol.model.head.num_classes is None  # the dataset's (200)
    imagenet = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/spol/spol_r50_imagenet.py'))
    assert imagenet.train_cfg.max_epochs == 6
    assert imagenet.train_dataloader.dataset.type == 'ILSVRC'

    isic = Config.fromfile(osp.join(REPO_ROOT, 'configs/isic/isic_r50_cub.py'))
    assert isic.optim_wrapper == dict(optimizer=dict(
        type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
    assert isic.model.feature_loss == dict(type='ICFSLoss', loss_weight=1.0)
    assert isic.model.neck.mca is None and isic.model.aux_head is None
    # section 3.3: S from an ImageNet-pretrained ResNet-50, 128-d vectors
    assert isic.stages.cam.cfg.custom_hooks[1] == dict(
        type='ClassSimilarityHook', gamma=0.3, dim=128,
        extractor=dict(type='mmpretrain.ResNet', depth=50, out_indices=(3, ),
                       init_cfg=dict(type='Pretrained',
                                     checkpoint='torchvision://resnet50')))
    assert isic.stages.pseudo_masks.type == 'NMFPseudoMaskStage'
    imagenet = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/isic/isic_r50_imagenet.py'))
    assert imagenet.train_cfg.max_epochs == 5
