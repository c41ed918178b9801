"""CAMHead: GAP + linear logits, class activation maps and the CE loss."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

NUM_CLASSES, CHANNELS, H, W = 5, 6, 4, 3


def _head(num_classes=NUM_CLASSES, in_channels=CHANNELS):
    init_default_scope('wsol_mm')
    head = MODELS.build(dict(type='CAMHead', num_classes=num_classes,
                             in_channels=in_channels))
    head.init_weights()
    torch.manual_seed(0)
    with torch.no_grad():  # non-trivial weights and biases
        head.fc.weight.normal_()
        head.fc.bias.normal_()
    return head


def _features(batch=2):
    torch.manual_seed(1)
    return torch.randn(batch, CHANNELS, H, W)


def _samples(labels):
    return [WSOLDataSample().set_gt_label(label) for label in labels]


def test_logits_are_fc_of_global_average_pool():
    head = _head()
    feats = _features()
    weight, bias = head.fc.weight.double(), head.fc.bias.double()
    expected = torch.zeros(feats.shape[0], NUM_CLASSES, dtype=torch.float64)
    for b in range(feats.shape[0]):
        for k in range(NUM_CLASSES):
            total = bias[k].clone()
            for c in range(CHANNELS):
                total += weight[k, c] * feats[b, c].double().sum() / (H * W)
            expected[b, k] = total
    logits = head(feats)
    assert logits.shape == (2, NUM_CLASSES)
    torch.testing.assert_close(logits.double(), expected, rtol=1e-5,
                               atol=1e-5)
    torch.testing.assert_close(head.predict(feats),
                               expected.softmax(1).float(), rtol=1e-5,
                               atol=1e-6)


def test_class_activation_maps_plain_loop():
    head = _head()
    feats = _features()
    classes = torch.tensor([[3, 0, 3], [1, 4, 2]])
    maps = head.class_activation_maps(feats, classes)
    assert maps.shape == (2, 3, H, W)
    weight = head.fc.weight.detach()
    for b in range(2):
        for j in range(classes.shape[1]):
            k = int(classes[b, j])
            expected = torch.zeros(H, W)
            for c in range(CHANNELS):
                expected += weight[k, c] * feats[b, c]
            torch.testing.assert_close(maps[b, j].detach(), expected,
                                       rtol=1e-5, atol=1e-5)


def test_cam_spatial_mean_plus_bias_is_the_logit():
    head = _head()
    feats = _features()
    classes = torch.arange(NUM_CLASSES).repeat(2, 1)
    maps = head.class_activation_maps(feats, classes)
    recovered = maps.mean(dim=(2, 3)) + head.fc.bias[None]
    torch.testing.assert_close(recovered, head(feats), rtol=1e-5, atol=1e-5)


def test_loss_is_cross_entropy_and_accuracy():
    head = _head()
    feats = _features(batch=4)
    logits = head(feats)
    labels = [int(logits[0].argmax()), int(logits[1].argmax()),
              (int(logits[2].argmax()) + 1) % NUM_CLASSES,
              (int(logits[3].argmax()) + 2) % NUM_CLASSES]
    losses = head.loss(feats, _samples(labels))
    expected = F.cross_entropy(logits, torch.tensor(labels))
    torch.testing.assert_close(losses['loss_cls'], expected)
    assert float(losses['accuracy']) == pytest.approx(50.0)
    losses['loss_cls'].backward()
    assert head.fc.weight.grad is not None


@pytest.mark.parametrize('bad', [NUM_CLASSES, NUM_CLASSES + 3, -1])
def test_label_out_of_range_raises(bad):
    head = _head()
    with pytest.raises(ValueError, match='num_classes'):
        head.loss(_features(), _samples([0, bad]))


@pytest.mark.parametrize('num_classes', [0, -2])
def test_non_positive_num_classes_raises(num_classes):
    with pytest.raises(ValueError, match='num_classes'):
        _head(num_classes=num_classes)


# Options of the official SPOL code: ReLU on the class maps before the
# pooling, dropout on the feature map, CAMs with the bias.


def _official_head(**kwargs):
    init_default_scope('wsol_mm')
    head = MODELS.build(dict(type='CAMHead', num_classes=2, in_channels=1,
                             **kwargs))
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[1.], [-1.]]))
        head.fc.bias.copy_(torch.tensor([-1., 0.5]))
    return head


def test_relu_before_pool_hand_computed():
    head = _official_head(relu_before_pool=True).eval()
    feats = torch.tensor([0., 1., 2., 5.]).reshape(1, 1, 2, 2)
    # class 0: relu(f - 1) = 0, 0, 1, 4 -> 1.25; class 1: relu(0.5 - f) =
    # 0.5, 0, 0, 0 -> 0.125. The linear head would give 1 and -1.5.
    torch.testing.assert_close(head(feats), torch.tensor([[1.25, 0.125]]))
    linear = _official_head().eval()
    torch.testing.assert_close(linear(feats), torch.tensor([[1.0, -1.5]]))
    torch.testing.assert_close(head.predict(feats),
                               torch.tensor([[1.25, 0.125]]).softmax(1))


def test_dropout_on_the_feature_map_in_training_only():
    head = _official_head(dropout=0.5, relu_before_pool=True)
    plain = _official_head(relu_before_pool=True)
    feats = torch.arange(1., 17.).reshape(1, 1, 4, 4)
    head.train()
    torch.manual_seed(5)
    logits = head(feats)
    torch.manual_seed(5)
    dropped = F.dropout(feats, p=0.5, training=True)
    assert 0 < int((dropped == 0).sum()) < 16  # some, not all, dropped
    torch.testing.assert_close(logits, plain(dropped))
    head.eval()
    torch.testing.assert_close(head(feats), plain(feats))
    with pytest.raises(ValueError, match='dropout'):
        _official_head(dropout=1.0)


def test_class_activation_maps_with_bias():
    head = _head()
    feats = _features()
    classes = torch.tensor([[3, 1], [0, 4]])
    plain = head.class_activation_maps(feats, classes)
    biased = head.class_activation_maps(feats, classes, with_bias=True)
    bias = head.fc.bias.detach()
    for b in range(2):
        for j in range(2):
            torch.testing.assert_close(
                biased[b, j], plain[b, j] + bias[classes[b, j]])
