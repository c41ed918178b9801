"""ClassAgnosticSegmentor + ClassAgnosticSegHead on a tiny ResNet."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.evaluation.functional import box_from_mask
from wsol_mm.models.heads import ClassAgnosticSegHead
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

SIZE = 64


def _model(**test_cfg):
    init_default_scope('wsol_mm')
    model = MODELS.build(
        dict(type='ClassAgnosticSegmentor',
             backbone=dict(type='mmpretrain.ResNet', depth=18,
                           base_channels=8, out_indices=(3, )),
             head=dict(type='ClassAgnosticSegHead', in_channels=64),
             test_cfg=test_cfg))
    model.init_weights()
    torch.manual_seed(0)
    with torch.no_grad():
        model.head.conv.weight.normal_()
    return model.eval()


def _inputs(batch=2):
    torch.manual_seed(3)
    return torch.rand(batch, 3, SIZE, SIZE)


def _independent_logits(model, inputs):
    """Head logits from the backbone's last stage, as a plain 1x1 conv."""
    with torch.no_grad():
        feats = model.backbone(inputs)[-1]
        conv = model.head.conv
        return torch.einsum('oc,bchw->bohw', conv.weight[:, :, 0, 0],
                            feats) + conv.bias[None, :, None, None]


def _centre_probabilities(model, inputs):
    """Set the head's bias so the probabilities straddle 0.5."""
    logits = _independent_logits(model, inputs)
    with torch.no_grad():
        model.head.conv.bias -= logits.median()


def _masked_bce(logits, masks):
    """Eq. 7 written out: labelled pixels only, divided by all H W pixels."""
    per_image = []
    for z, g in zip(logits[:, 0], masks):
        labelled = g != 255
        target = (g == 1).double()
        bce = -(target * F.logsigmoid(z) + (1 - target) * F.logsigmoid(-z))
        per_image.append(bce[labelled].sum() / g.numel())
    return torch.stack(per_image).mean()


def _samples_with_masks(masks):
    samples = []
    for mask in masks:
        sample = WSOLDataSample(metainfo=dict(img_shape=(SIZE, SIZE)))
        sample.pseudo_mask = mask
        samples.append(sample)
    return samples


def _random_masks(shapes, seed=5):
    generator = torch.Generator().manual_seed(seed)
    values = torch.tensor([0, 1, 255], dtype=torch.uint8)
    return [values[torch.randint(0, 3, shape, generator=generator)]
            for shape in shapes]


def test_tensor_mode_gives_one_logit_map():
    model = _model()
    inputs = _inputs()
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
    assert logits.shape == (2, 1, 2, 2)
    torch.testing.assert_close(logits, _independent_logits(model, inputs))


def test_loss_ignores_255_pixels_on_the_upsampled_logits():
    model = _model()
    inputs = _inputs()
    masks = _random_masks([(SIZE, SIZE)] * 2)
    losses = model(inputs, _samples_with_masks(masks), mode='loss')
    assert set(losses) == {'loss_seg'}
    up = F.interpolate(_independent_logits(model, inputs), size=(SIZE, SIZE),
                       mode='bilinear', align_corners=False).double()
    expected = _masked_bce(up, masks)
    assert losses['loss_seg'].item() == pytest.approx(expected.item(),
                                                      rel=1e-5)
    # The same masks with every label ignored but one pixel per image.
    sparse = [torch.full_like(m, 255) for m in masks]
    sparse[0][10, 20] = 1
    sparse[1][40, 3] = 0
    loss = model(inputs, _samples_with_masks(sparse), mode='loss')['loss_seg']
    expected = (-F.logsigmoid(up[0, 0, 10, 20]) -
                F.logsigmoid(-up[1, 0, 40, 3])) / (2 * SIZE * SIZE)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_smaller_masks_are_padded_with_ignored_pixels():
    """A mask smaller than the (padded) batch input only covers its
    top-left corner; the rest of the input grid is ignored."""
    model = _model()
    inputs = _inputs()
    masks = _random_masks([(SIZE - 6, SIZE - 10), (SIZE, SIZE)], seed=6)
    loss = model(inputs, _samples_with_masks(masks), mode='loss')['loss_seg']
    up = F.interpolate(_independent_logits(model, inputs), size=(SIZE, SIZE),
                       mode='bilinear', align_corners=False).double()
    full = torch.full((SIZE, SIZE), 255, dtype=torch.uint8)
    full[:SIZE - 6, :SIZE - 10] = masks[0]
    expected = _masked_bce(up, [full, masks[1]])
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_loss_trains_the_head_and_backbone():
    model = _model().train()
    inputs = _inputs()
    masks = _random_masks([(SIZE, SIZE)] * 2)
    model(inputs, _samples_with_masks(masks), mode='loss')['loss_seg'] \
        .backward()
    assert model.head.conv.weight.grad.abs().sum() > 0
    assert model.backbone.conv1.weight.grad.abs().sum() > 0


def test_missing_pseudo_mask_is_explained():
    model = _model()
    samples = _samples_with_masks(_random_masks([(SIZE, SIZE)]))
    samples.append(WSOLDataSample(metainfo=dict(img_shape=(SIZE, SIZE))))
    with pytest.raises(KeyError, match=r'\[1\].*pseudo mask'):
        model(_inputs(), samples, mode='loss')


def test_too_large_mask_is_named():
    model = _model()
    masks = _random_masks([(SIZE, SIZE), (SIZE + 1, SIZE)])
    with pytest.raises(ValueError, match=r'sample 1.*\(65, 64\)'):
        model(_inputs(), _samples_with_masks(masks), mode='loss')


@pytest.mark.parametrize('test_cfg', [
    dict(),
    dict(mask_threshold=0.55, box_mode='all'),
])
def test_predict_gives_probabilities_and_their_box(test_cfg):
    model = _model(**test_cfg)
    inputs = _inputs()
    _centre_probabilities(model, inputs)
    shapes = [(SIZE, SIZE), (50, 40)]
    samples = [WSOLDataSample(metainfo=dict(img_shape=s)) for s in shapes]
    with torch.no_grad():
        out = model(inputs, samples, mode='predict')
    probabilities = torch.sigmoid(_independent_logits(model, inputs))
    up = F.interpolate(probabilities, size=(SIZE, SIZE), mode='bicubic',
                       align_corners=False).clamp(0, 1)
    threshold = test_cfg.get('mask_threshold', 0.5)
    mode = test_cfg.get('box_mode', 'largest_component')
    for b, (sample, (height, width)) in enumerate(zip(out, shapes)):
        score_map = sample.gt_score_map
        assert score_map.shape == (height, width)
        assert 0 <= float(score_map.min()) and float(score_map.max()) <= 1
        # Not min-max normalised: the probabilities themselves.
        torch.testing.assert_close(score_map, up[b, 0, :height, :width])
        assert float(score_map.max() - score_map.min()) < 0.9
        # The threshold splits the map: the box is not trivial.
        assert (score_map > threshold).any()
        assert (score_map < threshold).any()
        assert torch.equal(sample.pred_score_maps, score_map[None])
        assert sample.pred_bboxes.dtype == torch.float32
        assert sample.pred_bboxes.tolist() == [
            box_from_mask(score_map, threshold, mode).tolist()]
        assert 'pred_score' not in sample


@pytest.mark.parametrize('box_mode,box', [
    ('largest_component', [30, 20, 46, 36]),
    ('all', [2, 3, 46, 36]),
    ('largest_contour', [30, 20, 46, 36]),
])
def test_predict_boxes_follow_test_cfg(box_mode, box, monkeypatch):
    """Two blobs given directly at the input resolution (no resizing)."""
    model = _model(box_mode=box_mode, mask_threshold=0.6)
    probabilities = torch.full((1, 1, SIZE, SIZE), 0.1)
    probabilities[0, 0, 3:7, 2:8] = 0.7  # 24 pixels
    probabilities[0, 0, 20:36, 30:46] = 0.9  # 256 pixels
    probabilities[0, 0, 50:60, 50:60] = 0.55  # below the threshold
    monkeypatch.setattr(model.head, 'predict', lambda _: probabilities)
    with torch.no_grad():
        out = model(_inputs(1), mode='predict')
    assert torch.equal(out[0].gt_score_map, probabilities[0, 0])
    assert out[0].pred_bboxes.tolist() == [box]


def test_predict_without_samples_uses_the_input_size():
    model = _model()
    with torch.no_grad():
        out = model(_inputs(1), mode='predict')
    assert out[0].gt_score_map.shape == (SIZE, SIZE)
    assert out[0].pred_bboxes.shape == (1, 4)


def test_unknown_box_mode_is_named():
    with pytest.raises(ValueError, match="box_mode.*'biggest'"):
        _model(box_mode='biggest')


# The official code's box: the largest contour (cv2.RETR_TREE, largest
# contourArea, boundingRect) of the probabilities above the threshold.


def test_largest_contour_ranks_by_contour_area_not_pixel_count():
    mask = np.zeros((20, 24))
    mask[2, 1:13] = 0.9  # a line: 12 pixels, contour area 0
    mask[6:9, 2:5] = 0.9  # 3 x 3 block: 9 pixels, contour area 4
    assert box_from_mask(mask, 0.5, 'largest_component').tolist() == \
        [1, 2, 13, 3]
    assert box_from_mask(mask, 0.5, 'largest_contour').tolist() == \
        [2, 6, 5, 9]
    # A hollow square (1 px thick, 10 x 10: 36 pixels, contour area 81)
    # against a solid 7 x 7 block (49 pixels, contour area 36).
    mask = np.zeros((20, 24))
    mask[1:11, 1:11] = 0.9
    mask[2:10, 2:10] = 0.0
    mask[12:19, 14:21] = 0.9
    assert box_from_mask(mask, 0.5, 'largest_component').tolist() == \
        [14, 12, 21, 19]
    assert box_from_mask(mask, 0.5, 'largest_contour').tolist() == \
        [1, 1, 11, 11]


def test_largest_contour_threshold_is_strict_and_empty_gives_zeros():
    mask = np.zeros((8, 8))
    mask[2:5, 3:6] = 0.2
    assert box_from_mask(mask, 0.2, 'largest_contour').tolist() == [0] * 4
    assert box_from_mask(mask, 0.2).tolist() == [3, 2, 6, 5]
    assert box_from_mask(mask, 0.19, 'largest_contour').tolist() == \
        [3, 2, 6, 5]
    box = box_from_mask(torch.from_numpy(mask), 0.19, 'largest_contour')
    assert box.dtype == np.int64 and box.shape == (4, )


def test_head_dropout_zeroes_features_in_training_only():
    head = ClassAgnosticSegHead(in_channels=4, dropout=0.5)
    with torch.no_grad():
        head.conv.weight.fill_(1.0)
        head.conv.bias.zero_()
    features = torch.ones(1, 4, 8, 8)
    head.eval()
    torch.testing.assert_close(head(features), torch.full((1, 1, 8, 8), 4.0))
    head.train()
    torch.manual_seed(0)
    logits = head(features)
    # each of the 4 kept-or-dropped features is 0 or 1 / (1 - 0.5) = 2
    values = set(logits.flatten().tolist())
    assert values <= {0.0, 2.0, 4.0, 6.0, 8.0} and len(values) > 1
    with pytest.raises(ValueError, match='dropout must be in'):
        ClassAgnosticSegHead(in_channels=4, dropout=1.0)
