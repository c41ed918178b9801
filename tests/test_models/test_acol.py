"""ACoL (wsolevaluation's definition): erasing, loss, CAM, one step."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.models.heads.acol_head import acol_erasing_mask
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

NUM_CLASSES = 3
SIZE = 64
BACKBONE = dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                strides=(1, 2, 2, 1), out_indices=(3, ),
                zero_init_residual=False)  # else residual convs get no grad


def _head(**kwargs):
    init_default_scope('wsol_mm')
    head = MODELS.build(dict(type='ACoLHead', num_classes=NUM_CLASSES,
                             in_channels=4, mid_channels=6, **kwargs))
    torch.manual_seed(0)
    head.init_weights()
    return head


def _model(topk=1):
    init_default_scope('wsol_mm')
    model = MODELS.build(
        dict(type='ACoL', backbone=BACKBONE,
             head=dict(type='ACoLHead', num_classes=NUM_CLASSES,
                       in_channels=64, mid_channels=16),
             test_cfg=dict(topk=topk)))
    torch.manual_seed(0)
    model.init_weights()
    return model


def _samples(labels, size=SIZE):
    return [WSOLDataSample(metainfo=dict(img_shape=(size, size)))
            .set_gt_label(lab) for lab in labels]


def _min_max(m):
    return (m - m.min()) / (m.max() - m.min())


def _erased_by_hand(feature, maps_a, labels, threshold=0.7):
    """Feature (B, C, h, w) with the pixels where A's min-max normalised
    map of each image's label is >= threshold set to 0 (a loop)."""
    erased = feature.clone()
    for i, label in enumerate(labels):
        attention = _min_max(maps_a[i, label])
        erased[i][:, attention >= threshold] = 0
    return erased


def test_erasing_mask_includes_the_threshold():
    attention = torch.tensor([[0., 0.69, 0.7, 0.71, 1.]])
    torch.testing.assert_close(acol_erasing_mask(attention, 0.7),
                               torch.tensor([[1., 1., 0., 0., 0.]]))


def test_erase_uses_the_normalised_map_of_the_label():
    head = _head()
    feature = torch.arange(1., 33.).view(2, 4, 2, 2)
    maps_a = torch.zeros(2, NUM_CLASSES, 2, 2)
    # image 0, class 1: min-max gives (0, 0.3, 0.7, 1): 0.7 and 1 erased
    maps_a[0, 1] = torch.tensor([[2., 5.], [9., 12.]])
    maps_a[0, 2] = torch.tensor([[9., 0.], [0., 0.]])  # not its label
    # image 1, class 2: a constant map erases nothing
    maps_a[1, 2] = 4.
    erased = head.erase(feature, maps_a, torch.tensor([1, 2]))
    expected = feature.clone()
    expected[0, :, 1, :] = 0
    torch.testing.assert_close(erased, expected)


def test_loss_is_cross_entropy_of_both_branches():
    head = _head()
    torch.manual_seed(1)
    feature = torch.randn(3, 4, 5, 5)
    labels = [2, 0, 1]
    losses = head.loss(feature, _samples(labels))
    with torch.no_grad():
        maps_a = head.classifier_a(feature)
        erased = _erased_by_hand(feature, maps_a, labels)
        logits_b = head.classifier_b(erased).mean(dim=(2, 3))
    target = torch.tensor(labels)
    logits_a = maps_a.mean(dim=(2, 3))
    assert set(losses) == {'loss_cls_a', 'loss_cls_b', 'accuracy'}
    torch.testing.assert_close(losses['loss_cls_a'],
                               F.cross_entropy(logits_a, target))
    torch.testing.assert_close(losses['loss_cls_b'],
                               F.cross_entropy(logits_b, target))
    torch.testing.assert_close(
        losses['accuracy'],
        (logits_a.argmax(1) == target).float().mean() * 100)
    # erasing changed B's input, so B is not A's twin on the same features
    assert not torch.allclose(erased, feature)


def test_without_labels_b_is_erased_with_the_argmax_of_a():
    head = _head()
    torch.manual_seed(2)
    feature = torch.randn(2, 4, 5, 5)
    with torch.no_grad():
        maps_a, maps_b = head.branch_maps(feature)
        top = maps_a.mean(dim=(2, 3)).argmax(1)
        expected = head.classifier_b(_erased_by_hand(feature, maps_a, top))
    torch.testing.assert_close(maps_b, expected)


def test_cam_is_max_of_normalised_maps_with_erasing_by_each_class():
    head = _head()
    torch.manual_seed(3)
    feature = torch.randn(2, 4, 5, 5)
    classes = torch.tensor([[0, 2], [1, 1]])
    with torch.no_grad():
        maps = head.class_activation_maps(feature, classes)
        maps_a = head.classifier_a(feature)
        for i in range(2):
            for j in range(2):
                k = int(classes[i, j])
                erased = _erased_by_hand(feature[i:i + 1], maps_a[i:i + 1],
                                         [k])
                map_b = head.classifier_b(erased)[0, k]
                expected = torch.max(_min_max(maps_a[i, k]), _min_max(map_b))
                torch.testing.assert_close(maps[i, j], expected)


def test_heads_init_as_wsolevaluation():
    head = _head()  # xavier_uniform (VGG16, InceptionV3), bias 0
    conv = head.classifier_b[0]
    bound = (6 / (4 * 9 + 6 * 9))**0.5
    weight = conv.weight.detach()
    assert float(weight.abs().max()) <= bound
    assert float(weight.abs().max()) > 0.9 * bound
    assert float(conv.bias.detach().abs().max()) == 0
    he = _head(init_cfg=dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                             nonlinearity='relu', distribution='normal',
                             bias=0))  # ResNet-50
    weight = he.classifier_a[2].weight.detach()  # 6 -> 6, fan_out = 6 * 9
    assert abs(float(weight.std()) - (2 / 54)**0.5) < 0.02  # xavier: 0.14


def test_bad_arguments_name_the_key():
    with pytest.raises(ValueError, match='erase_threshold'):
        _head(erase_threshold=0.)
    with pytest.raises(TypeError, match='ACoLHead'):
        MODELS.build(dict(type='ACoL', backbone=BACKBONE,
                          head=dict(type='CAMHead', num_classes=2,
                                    in_channels=64)))
    with pytest.raises(ValueError, match='num_classes'):
        _head().loss(torch.zeros(1, 4, 2, 2), _samples([NUM_CLASSES]))


def test_model_step_and_predict():
    model = _model(topk=2)
    model.train()
    torch.manual_seed(4)
    inputs = torch.rand(2, 3, SIZE, SIZE)
    losses = model(inputs, _samples([1, 2]), mode='loss')
    (losses['loss_cls_a'] + losses['loss_cls_b']).backward()
    no_grad = [n for n, p in model.named_parameters()
               if p.requires_grad and (p.grad is None or
                                       float(p.grad.abs().sum()) == 0)]
    assert no_grad == []

    model.eval()
    with torch.no_grad():
        samples = model(inputs, _samples([1, 2]), mode='predict')
        feature = model.backbone(inputs)[-1]
        logits_a = model.head.classifier_a(feature).mean(dim=(2, 3))
        gt_maps = model.head.class_activation_maps(
            feature, torch.tensor([[1], [2]]))
    top2 = logits_a.topk(2, dim=1).indices
    for i, sample in enumerate(samples):
        torch.testing.assert_close(sample.pred_score,
                                   logits_a[i].softmax(0))
        assert sample.pred_labels.tolist() == top2[i].tolist()
        up = F.interpolate(gt_maps[i:i + 1], size=(SIZE, SIZE),
                           mode='bicubic', align_corners=False)[0, 0]
        torch.testing.assert_close(sample.gt_score_map, _min_max(up))
        assert sample.pred_score_maps.shape == (2, SIZE, SIZE)
        assert sample.pred_bboxes.shape == (2, 4)
