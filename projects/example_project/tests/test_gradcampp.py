"""Grad-CAM++ / Grad-CAM maps of ``GradCAMPPHead`` against hand-computed
maps (GAP + linear head: gradients constant per channel; ReLU-before-pool
head: gradients that vary over the map), in MMEngine's no-grad test path,
and the project config through ``tools/train.py``."""
import glob
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from projects.example_project.gradcampp import GradCAMPPHead
from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.models.heads import CAMHead
from wsol_mm.models.utils import normalize_score_maps, resize_score_maps
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG = osp.join(REPO_ROOT, 'projects', 'example_project', 'configs',
                  'gradcampp_r18_demo.py')


def seeded_head(head_type=GradCAMPPHead, **kwargs):
    torch.manual_seed(0)
    head = head_type(num_classes=4, in_channels=3, **kwargs)
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[0.9, -0.4, 0.3],
                                           [-0.2, 0.7, 0.5],
                                           [0.4, 0.6, -0.8],
                                           [0.1, 0.2, 0.3]]))
        head.fc.bias.copy_(torch.tensor([0.1, -0.3, 0.2, 0.]))
    return head.eval()


def feature_maps():
    torch.manual_seed(1)
    return torch.rand(2, 3, 4, 5)  # non-negative, like post-ReLU features


CLASSES = torch.tensor([[0, 2], [1, 0]])


def gap_linear_gradcampp(features, weight, bias, classes, exp_score):
    """By hand: S_c = sum_k W_ck mean(A^k) + b_c gives g = W_ck / hw, so
    alpha = 1 / (2 + W_ck mean(A^k)) and w_k = alpha relu(W_ck) (times
    exp(S_c) for the exp score); map = relu(sum_k w_k A^k)."""
    means = features.mean(dim=(2, 3))
    maps = torch.zeros(classes.shape + features.shape[2:])
    for b in range(features.shape[0]):
        for j, c in enumerate(classes[b].tolist()):
            w = weight[c].relu() / (2 + weight[c] * means[b])
            if exp_score:
                w = w * torch.exp(weight[c] @ means[b] + bias[c])
            maps[b, j] = (w[:, None, None] * features[b]).sum(0).relu()
    return maps


@pytest.mark.parametrize('score', ['exp', 'linear'])
def test_gap_linear_head_matches_the_closed_form(score):
    head = seeded_head(score=score)
    features = feature_maps()
    expected = gap_linear_gradcampp(features, head.fc.weight.detach(),
                                    head.fc.bias.detach(), CLASSES,
                                    exp_score=score == 'exp')
    maps = head.class_activation_maps(features, CLASSES)
    assert maps.shape == (2, 2, 4, 5)
    torch.testing.assert_close(maps, expected)
    assert not maps.requires_grad
    # Grad-CAM++ is not CAM up to scale: relu(W) / (2 + W mean A) is not
    # proportional to W.
    cam = CAMHead.class_activation_maps(head, features, CLASSES)
    ratio = maps[0, 0] / cam[0, 0]
    assert ratio.max() - ratio.min() > 1e-3


def test_exp_and_linear_scores_differ_by_exp_of_the_class_score():
    features = feature_maps()
    exp_maps = seeded_head(score='exp').class_activation_maps(
        features, CLASSES)
    linear_maps = seeded_head(score='linear').class_activation_maps(
        features, CLASSES)
    logits = seeded_head()(features).detach()
    factor = logits.gather(1, CLASSES).exp()[:, :, None, None]
    torch.testing.assert_close(exp_maps, linear_maps * factor)


def test_relu_before_pool_head_uses_per_position_gradients():
    """S_c = mean_ij relu(z_c,ij), z = W A + b: g_ij = W_ck [z_ij > 0] / hw
    varies over the map; Eq. 19 with g at (i, j) and the sum of A^k."""
    head = seeded_head(relu_before_pool=True, score='linear')
    features = feature_maps() - 0.3  # mixed signs: some z_ij <= 0
    area = features.shape[2] * features.shape[3]
    weight, bias = head.fc.weight.detach(), head.fc.bias.detach()
    maps = head.class_activation_maps(features, CLASSES)
    for b in range(2):
        for j, c in enumerate(CLASSES[b].tolist()):
            z = torch.einsum('k,khw->hw', weight[c], features[b]) + bias[c]
            g = weight[c][:, None, None] * (z > 0).float() / area
            total = features[b].sum(dim=(1, 2))[:, None, None]
            denominator = 2 * g ** 2 + total * g ** 3
            alpha = torch.where(denominator != 0,
                                g ** 2 / denominator.where(
                                    denominator != 0, torch.ones(())),
                                torch.zeros(()))
            w = (alpha * g.relu()).sum(dim=(1, 2))
            expected = (w[:, None, None] * features[b]).sum(0).relu()
            torch.testing.assert_close(maps[b, j], expected)
    assert (maps > 0).any()


def test_gradcam_of_a_gap_head_is_relu_cam_over_the_area():
    head = seeded_head(method='gradcam')
    features = feature_maps()
    cam = CAMHead.class_activation_maps(head, features, CLASSES).detach()
    maps = head.class_activation_maps(features, CLASSES)
    torch.testing.assert_close(maps, cam.relu() / 20)
    # Where CAM is non-negative, both give the same normalised maps.
    positive = torch.tensor([[3]])
    torch.testing.assert_close(
        normalize_score_maps(head.class_activation_maps(features[:1],
                                                        positive)),
        normalize_score_maps(
            CAMHead.class_activation_maps(head, features[:1],
                                          positive)).detach())


@pytest.mark.parametrize('key,kwargs', [('method', dict(method='gradcam+')),
                                        ('score', dict(score='softmax'))])
def test_unknown_options_are_rejected_by_name(key, kwargs):
    with pytest.raises(ValueError, match=key):
        GradCAMPPHead(num_classes=2, in_channels=3, **kwargs)


def test_exp_score_overflow_is_an_error_naming_the_fix():
    head = seeded_head()
    with torch.no_grad():
        head.fc.bias.fill_(200.)
    with pytest.raises(ValueError, match="score='linear'"):
        head.class_activation_maps(feature_maps(), CLASSES)


def tiny_models():
    """The project config's model (tiny backbone) and a plain CAM with the
    same weights (the checkpoint of one loads into the other)."""
    init_default_scope('wsol_mm')
    cfg = Config.fromfile(CONFIG)
    assert cfg.custom_imports.imports == ['projects.example_project.gradcampp']
    cfg.model.backbone.base_channels = 8
    cfg.model.head.update(num_classes=3, in_channels=64)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    assert isinstance(model.head, GradCAMPPHead)
    plain_cfg = cfg.model.copy()
    plain_cfg.head = dict(cfg.model.head, type='CAMHead')
    plain_cfg.head.pop('method')
    plain = MODELS.build(plain_cfg).eval()
    plain.load_state_dict(model.state_dict())
    return model, plain


@pytest.mark.parametrize('grad_mode', [torch.no_grad, torch.inference_mode])
def test_test_step_without_autograd_gives_gradcampp_maps(grad_mode):
    model, plain = tiny_models()
    torch.manual_seed(2)
    data = dict(
        inputs=[torch.randint(0, 256, (3, 48, 40), dtype=torch.uint8)
                for _ in range(2)],
        data_samples=[WSOLDataSample(metainfo=dict(img_shape=(48, 40)))
                      .set_gt_label(label) for label in (2, 0)])
    with grad_mode():
        samples = model.test_step(data)
    with torch.no_grad():
        inputs = plain.data_preprocessor(data)['inputs']
        features = plain.extract_feat(inputs)
        scores = plain.head.predict(features)
    top1 = scores.argmax(1, keepdim=True)
    classes = torch.cat([torch.tensor([[2], [0]]), top1], dim=1)
    expected = normalize_score_maps(resize_score_maps(
        gap_linear_gradcampp(features, plain.head.fc.weight.detach(),
                             plain.head.fc.bias.detach(), classes, True),
        inputs.shape[-2:]))
    for sample, maps in zip(samples, expected):
        torch.testing.assert_close(sample.gt_score_map, maps[0])
        torch.testing.assert_close(sample.pred_score_maps, maps[1:])
        torch.testing.assert_close(sample.pred_score, scores[
            samples.index(sample)])
        assert sample.pred_bboxes.shape == (1, 4)


def test_train_tool_runs_the_project_config(tmp_path):
    """``tools/train.py`` imports the plugin through ``custom_imports`` and
    its validation loop (under ``torch.no_grad``) scores Grad-CAM++ maps."""
    data_root = str(tmp_path / 'data')
    generate_synthetic_dataset(data_root, num_classes=2, train_per_class=2,
                               test_per_class=2, min_size=64, max_size=80,
                               seed=3)
    work_dir = tmp_path / 'work'
    loaders = [f'{name}.{key}={value}'
               for name in ('train_dataloader', 'val_dataloader',
                            'test_dataloader')
               for key, value in (('num_workers', 0),
                                  ('persistent_workers', False),
                                  ('batch_size', 2))]
    done = subprocess.run(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir',
         str(work_dir), '--cfg-options', f'data_root={data_root}',
         'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
         'model.backbone.base_channels=8', 'model.head.in_channels=64',
         'model.head.num_classes=2', *loaders],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    scalars = glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))
    assert scalars, 'no validation metrics were logged'
    with open(scalars[0]) as f:
        records = [json.loads(line) for line in f]
    assert any('wsol/max_box_acc_v2' in r for r in records), records[-1]
