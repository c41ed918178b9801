"""SLTNet, the joint localizer + box regressor, against independent
computations of its three losses and of its predictions."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.evaluation.functional import box_from_mask
from wsol_mm.models.losses import SMTLoss, VSTLoss
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

NUM_CLASSES = 3
SIZE = 32
TOPK = 2


def _backbone():
    return dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                strides=(1, 2, 1, 1), out_indices=(3, ))


def _model(**kwargs):
    init_default_scope('wsol_mm')
    cfg = dict(
        type='SLTNet',
        localizer=dict(
            type='CAM',
            backbone=_backbone(),
            head=dict(type='CAMHead', num_classes=NUM_CLASSES,
                      in_channels=64,
                      loss=dict(type='SMTLoss', alpha=0.4, topk=TOPK)),
            test_cfg=dict(score_map='topk_mean', score_map_topk=TOPK)),
        regressor=dict(
            type='BoxRegressor', backbone=_backbone(),
            head=dict(type='BoxRegressionHead', in_channels=64),
            box_normalizer=dict(mode='stride', stride=8)),
        vst_loss=dict(type='VSTLoss', loss_weight=10.0),
        # a high threshold makes small boxes that differ between maps
        pseudo_box=dict(threshold=0.7))
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    torch.manual_seed(0)
    with torch.no_grad():  # distinct class weights
        model.localizer.head.fc.weight.normal_()
    # eval mode: BN uses running statistics, so repeated forwards agree
    return model.eval()


def _batch(view_sizes=(SIZE, SIZE // 2)):
    """Inputs and samples whose second views are the input flipped and
    resized to ``view_sizes`` (one per image)."""
    torch.manual_seed(1)
    inputs = torch.rand(len(view_sizes), 3, SIZE, SIZE)
    samples = []
    for index, side in enumerate(view_sizes):
        view = F.interpolate(inputs[index:index + 1], size=(side, side),
                             mode='bilinear', align_corners=False)[0]
        scale = side / SIZE
        sample = WSOLDataSample(metainfo=dict(
            img_shape=(SIZE, SIZE),
            view2_affine=np.array([[-scale, 0., side], [0., scale, 0.]])))
        sample.set_gt_label(index % NUM_CLASSES)
        sample.img_view2 = view.flip(-1)
        samples.append(sample)
    return inputs, samples


def _cams(model, images):
    """Raw maps of every class, by an explicit sum over the channels."""
    feats = model.localizer.backbone(images)[-1]
    weight = model.localizer.head.fc.weight
    return torch.stack([sum(weight[k, c] * feats[:, c]
                            for c in range(feats.shape[1]))
                        for k in range(NUM_CLASSES)], dim=1)


def test_loss_is_smt_plus_vst_plus_regression_of_the_acam_box():
    model = _model()
    inputs, samples = _batch()
    losses = model.loss(inputs, samples)
    assert set(losses) == {'loss_cls', 'accuracy', 'loss_vst', 'loss_reg'}
    with torch.no_grad():
        labels = torch.tensor([0, 1])
        logits = model.localizer(inputs, mode='tensor')
        assert float(losses['loss_cls']) == pytest.approx(
            float(SMTLoss(alpha=0.4, topk=TOPK)(logits, labels)), rel=1e-5)

        maps = _cams(model, inputs)
        view_maps = [_cams(model, s.img_view2[None])[0] for s in samples]
        affines = np.stack([s.view2_affine for s in samples])
        expected_vst = VSTLoss(loss_weight=10.0)(
            maps, view_maps, affines, (SIZE, SIZE),
            [tuple(s.img_view2.shape[-2:]) for s in samples])
        assert float(losses['loss_vst']) == pytest.approx(
            float(expected_vst), rel=1e-4)

        # the pseudo box: mean of the top-2 raw maps, bicubic to the input,
        # min-max, threshold 0.7, largest component; then smooth L1 on
        # corners / 8
        top = logits.topk(TOPK, dim=1).indices
        targets = []
        for index in range(len(inputs)):
            acam = maps[index, top[index]].mean(0)
            up = F.interpolate(acam[None, None], size=(SIZE, SIZE),
                               mode='bicubic', align_corners=False)[0, 0]
            up = (up - up.min()) / (up.max() - up.min())
            targets.append(box_from_mask(up.numpy(), 0.7,
                                         'largest_component'))
            gt_map = maps[index, labels[index]]
            gt_up = F.interpolate(gt_map[None, None], size=(SIZE, SIZE),
                                  mode='bicubic', align_corners=False)[0, 0]
            gt_box = box_from_mask(
                ((gt_up - gt_up.min()) / (gt_up.max() - gt_up.min())).numpy(),
                0.7, 'largest_component')
            # the test tells the ACAM's box from the GT class's
            assert list(gt_box) != list(targets[-1])
        targets = torch.as_tensor(np.stack(targets), dtype=torch.float32) / 8
        predicted = model.regressor(inputs, mode='tensor')
        diff = (predicted - targets).abs()
        smooth = torch.where(diff < 1, 0.5 * diff ** 2, diff - 0.5)
        assert float(losses['loss_reg']) == pytest.approx(
            float(smooth.sum(1).mean()), rel=1e-5)


def test_no_gradient_crosses_between_localizer_and_regressor():
    model = _model()
    inputs, samples = _batch()
    losses = model.loss(inputs, samples)
    localizer = list(model.localizer.parameters())
    regressor = list(model.regressor.parameters())
    grads = torch.autograd.grad(losses['loss_reg'], localizer + regressor,
                                allow_unused=True)
    assert all(g is None for g in grads[:len(localizer)])
    assert any(g is not None and g.abs().sum() > 0
               for g in grads[len(localizer):])
    grads = torch.autograd.grad(losses['loss_cls'] + losses['loss_vst'],
                                localizer + regressor, allow_unused=True)
    assert all(g is None for g in grads[len(localizer):])


def test_views_of_one_size_are_batched_with_the_same_result():
    model = _model(regressor=None)
    inputs, samples = _batch(view_sizes=(SIZE // 2, SIZE // 2))
    together = model.loss(inputs, samples)['loss_vst']
    alone = [model.loss(inputs[i:i + 1], samples[i:i + 1])['loss_vst']
             for i in range(2)]
    assert float(together.detach()) == pytest.approx(
        float(sum(alone).detach() / 2), rel=1e-5)


def test_predict_with_regressor_gives_its_box_and_the_localizer_scores():
    model = _model(test_cfg=dict(predict_with='regressor'))
    inputs, samples = _batch()
    predicted = model.predict(inputs, samples)
    with torch.no_grad():
        boxes = model.regressor.predict_boxes(inputs)
        scores = model.localizer(inputs, mode='tensor').softmax(1)
    for sample, box, score in zip(predicted, boxes, scores):
        torch.testing.assert_close(sample.pred_bboxes[0], box)
        torch.testing.assert_close(sample.pred_score, score)
        x0, y0, x1, y1 = (int(v) for v in box)
        expected = torch.zeros(SIZE, SIZE)
        expected[y0:y1, x0:x1] = 1
        torch.testing.assert_close(sample.gt_score_map, expected)


def test_predict_with_localizer_is_the_localizers_acam():
    model = _model()
    inputs, samples = _batch()
    predicted = model.predict(inputs, samples)
    expected = model.localizer.predict(inputs, _batch()[1])
    for sample, reference in zip(predicted, expected):
        torch.testing.assert_close(sample.gt_score_map,
                                   reference.gt_score_map)


def test_bad_configs_and_missing_views_are_explained():
    with pytest.raises(ValueError, match='predict_with'):
        _model(test_cfg=dict(predict_with='classifier'))
    with pytest.raises(ValueError, match='needs a regressor'):
        _model(regressor=None, test_cfg=dict(predict_with='regressor'))
    with pytest.raises(KeyError, match='pseudo_box'):
        _model(pseudo_box=dict(thresh=0.3))
    with pytest.raises(TypeError, match='CAM-style'):
        _model(localizer=dict(
            type='BoxRegressor', backbone=_backbone(),
            head=dict(type='BoxRegressionHead', in_channels=64)))
    model = _model()
    inputs, samples = _batch()
    del samples[1].img_view2
    with pytest.raises(KeyError, match='PairedViews'):
        model.loss(inputs, samples)
