"""CAMPseudoMaskStage with the official SPOL code's options: the CAM with
its bias, CAM and Gaussian prior as two channels, the 0.25 / 0.01 rule; and
the official configs that select them."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.models.utils import double_threshold, gaussian_prior_maps
from wsol_mm.models.utils.pseudo_masks import cam_or_prior_labels
from wsol_mm.models.wsol.base_localizer import BaseLocalizer
from wsol_mm.pipelines import CAMPseudoMaskStage, PipelineContext
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
OFFICIAL_PRIOR = dict(type='GaussianPriorEnhance', weight_range=(0.1, 0.5),
                      per_contour=True, min_contour_area=20, var_scale=0.1)
SIZE = 16


class _Head:
    """Class k's map is channel k of the feature map; its bias is
    ``bias[k]``."""

    bias = torch.tensor([-0.5, 0.25])

    def class_activation_maps(self, feature_map, class_indices,
                              with_bias=False):
        maps = torch.stack([feature_map[b, class_indices[b]]
                            for b in range(feature_map.shape[0])])
        if with_bias:
            maps = maps + self.bias[class_indices][:, :, None, None]
        return maps


class _FeatureLocalizer(BaseLocalizer):
    """The input's first two channels are its feature map."""

    def __init__(self):
        super().__init__()
        self.head = _Head()

    def extract_feat(self, inputs):
        return inputs[:, :2]

    def predict(self, inputs, data_samples=None):
        return data_samples

    def _forward(self, inputs):
        return self.extract_feat(inputs)

    def loss(self, inputs, data_samples):
        raise NotImplementedError


def _stage(tmp_path, **kwargs):
    init_default_scope('wsol_mm')
    context = PipelineContext(str(tmp_path), Config(), logger=None)
    return CAMPseudoMaskStage('pseudo_masks', context, localizer='cam',
                              **kwargs)


def _features():
    """Two images: class 0's map holds a blob with a band in [0.1, 0.5]
    around a core above 0.5, and values just below 0.5 (0.4) where the
    bias -0.5 will cut them off."""
    features = torch.zeros(2, 3, SIZE, SIZE)
    features[:, 0, 2:14, 2:14] = 0.4
    features[:, 0, 5:11, 5:11] = 1.0
    features[1, 1] = torch.linspace(-1, 1, SIZE)[None, :]
    return features


def _data(labels):
    samples = [WSOLDataSample(metainfo=dict(img_shape=(SIZE, SIZE)))
               .set_gt_label(label) for label in labels]
    return dict(inputs=list(_features()), data_samples=samples)


def _max_normalized(maps):
    maps = maps.clamp(min=0)
    return maps / maps.amax(dim=(-2, -1), keepdim=True)


@pytest.mark.parametrize('cam_bias', [False, True])
def test_official_score_maps_are_cam_and_prior(tmp_path, cam_bias):
    stage = _stage(tmp_path, enhance=OFFICIAL_PRIOR, label_rule='cam_or_prior',
                   cam_bias=cam_bias, fg_threshold=0.25, bg_threshold=0.01)
    samples, maps = stage.score_maps(_FeatureLocalizer(), _data([0, 1]))
    assert len(samples) == 2
    features = _features()
    raw = torch.stack([features[0, 0], features[1, 1]])
    if cam_bias:  # relu(W F + b): class 0's bias -0.5, class 1's +0.25
        raw = raw + torch.tensor([-0.5, 0.25])[:, None, None]
    cams = _max_normalized(raw)
    priors = gaussian_prior_maps(cams, weight_range=(0.1, 0.5),
                                 per_contour=True, var_scale=0.1)
    for b in range(2):
        assert maps[b].shape == (2, SIZE, SIZE)
        torch.testing.assert_close(maps[b][0], cams[b])
        torch.testing.assert_close(maps[b][1], priors[b])
    # image 0: without the bias the band (0.4) is a weighted ring; with it
    # the CAM is relu(0.4 - 0.5) = 0 there: no band, no Gaussian.
    if cam_bias:
        assert float(maps[0][0][3, 3]) == 0
        assert float(maps[0][1].max()) == 0
    else:
        assert float(maps[0][0][3, 3]) == pytest.approx(0.4)
        assert float(maps[0][1].max()) > 0.5  # peak between pixels


def test_official_labels_and_evaluation_map(tmp_path):
    stage = _stage(tmp_path, enhance=OFFICIAL_PRIOR, label_rule='cam_or_prior',
                   fg_threshold=0.25, bg_threshold=0.01)
    cam = torch.tensor([[0.30, 0.20, 0.005, 0.005], [0.0, 0.02, 0.5, 0.0]])
    prior = torch.tensor([[0.00, 0.30, 0.300, 0.100], [0.2, 0.00, 0.0, 0.9]])
    maps = torch.stack([cam, prior])
    labels = stage.label_map(maps)
    # fg: CAM or prior > 0.25; bg: CAM < 0.01 and not fg (the prior 0.1 or
    # 0.2 of a background pixel does not matter); else ignored
    assert labels.tolist() == [[1, 1, 1, 0], [0, 255, 1, 1]]
    assert labels.tolist() == cam_or_prior_labels(cam, prior).tolist()
    torch.testing.assert_close(stage.evaluation_map(maps),
                               torch.maximum(cam, prior))
    assert stage.settings()['label_rule'] == 'cam_or_prior'


def test_paper_rule_is_the_double_threshold_of_the_maximum(tmp_path):
    stage = _stage(tmp_path, enhance=dict(type='GaussianPriorEnhance'))
    samples, maps = stage.score_maps(_FeatureLocalizer(), _data([0, 0]))
    cams = _max_normalized(_features()[:, 0])
    enhanced = torch.maximum(cams, gaussian_prior_maps(cams))
    for b in range(2):
        assert maps[b].shape == (1, SIZE, SIZE)
        torch.testing.assert_close(maps[b][0], enhanced[b])
    torch.testing.assert_close(stage.label_map(maps[0]),
                               double_threshold(enhanced[0], 0.5, 0.004))
    assert stage.settings()['label_rule'] == 'max'
    assert stage.settings()['cam_bias'] is False


def test_bad_options_are_named(tmp_path):
    with pytest.raises(ValueError, match="label_rule must be one of"):
        _stage(tmp_path, label_rule='or')
    with pytest.raises(ValueError, match='prior'):
        _stage(tmp_path, label_rule='cam_or_prior')


# The official configs select these options.


def test_official_configs_select_the_official_options():
    cub = Config.fromfile(
        osp.join(REPO, 'configs/spol/spol_r50_cub_official.py'))
    masks = cub.stages.pseudo_masks
    assert masks.enhance == OFFICIAL_PRIOR
    assert (masks.label_rule, masks.cam_bias, masks.fg_threshold,
            masks.bg_threshold) == ('cam_or_prior', True, 0.25, 0.01)
    assert cub.model.neck.out_channels == 128
    assert cub.model.neck.mca == dict(latent_channels=128,
                                      norm_cfg=dict(type='BN'),
                                      act_cfg=dict(type='ReLU'))
    assert (cub.model.head.dropout, cub.model.head.relu_before_pool) == (
        0.5, True)
    assert (cub.model.aux_head, cub.model.share_head, cub.model.aux_mode) == (
        None, True, 'distill_mean')
    assert cub.train_dataloader.batch_size == 64
    assert cub.optim_wrapper.optimizer.nesterov is True
    assert cub.train_cfg.max_epochs == 32
    seg = cub.stages.seg.cfg
    assert seg.model.neck.out_channels == 128 and \
        seg.model.head.in_channels == 128
    assert seg.model.test_cfg == dict(mask_threshold=0.2,
                                      box_mode='largest_contour')
    assert seg.train_dataloader.batch_size == 128
    assert seg.train_cfg.max_epochs == 2

    imagenet = Config.fromfile(
        osp.join(REPO, 'configs/spol/spol_r50_imagenet_official.py'))
    assert imagenet.stages.pseudo_masks == masks
    assert (imagenet.model.aux_head, imagenet.model.share_head,
            imagenet.model.aux_mode) == (None, False, 'sum')
    assert imagenet.train_cfg == dict(by_epoch=False, max_iters=6000)
    assert imagenet.stages.seg.cfg.model.test_cfg.mask_threshold == 0.8
    assert imagenet.train_dataloader.dataset.type == 'ILSVRC'


@pytest.mark.parametrize('name', ['cub', 'imagenet'])
def test_official_stage_optimizers(tmp_path, name):
    """The built optimizers: the CAM stage's lr 0.002 backbone / 0.02 new
    layers, Nesterov (ImageNet: the stem not trained); the segmentation
    stage's lr 0.02 for every parameter."""
    from mmengine.optim import build_optim_wrapper
    from wsol_mm.pipelines import MultiStagePipeline
    init_default_scope('wsol_mm')
    cfg = Config.fromfile(
        osp.join(REPO, f'configs/spol/spol_r50_{name}_official.py'))
    cfg.work_dir = str(tmp_path)
    stages = MultiStagePipeline(cfg).stages
    for stage_name, expected in (('cam', (0.002, 0.02)),
                                 ('seg', (0.02, 0.02))):
        stage_cfg = stages[stage_name].runner_cfg(resolve=False)
        model_cfg = stage_cfg.model.copy()
        model_cfg.pop('_delete_', None)
        model_cfg.backbone.init_cfg = None
        if model_cfg.head.get('num_classes', 1) is None:
            model_cfg.head.num_classes = 3
        model = MODELS.build(model_cfg)
        wrapper = build_optim_wrapper(model, stage_cfg.optim_wrapper)
        lrs = {}
        for group in wrapper.optimizer.param_groups:
            assert group['nesterov'] is True
            for param in group['params']:
                lrs[id(param)] = group['lr']
        named = dict(model.named_parameters())
        backbone, stem, new = set(), set(), set()
        for param_name, param in named.items():
            if param_name.startswith(('backbone.conv1', 'backbone.bn1')):
                stem.add(lrs[id(param)])
            elif param_name.startswith('backbone.'):
                backbone.add(lrs[id(param)])
            else:
                new.add(lrs[id(param)])
        assert sorted(backbone) == pytest.approx([expected[0]])
        assert sorted(new) == pytest.approx([expected[1]])
        frozen = name == 'imagenet' and stage_name == 'cam'
        assert sorted(stem) == pytest.approx([0.0 if frozen else expected[0]])
