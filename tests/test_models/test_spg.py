"""SPG (wsolevaluation's definition): branches, losses, CAM, one step."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

NUM_CLASSES = 3
SIZE = 64
BACKBONE = dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                strides=(1, 2, 2, 1), out_indices=(3, ),
                zero_init_residual=False)  # else residual convs get no grad
HEAD = dict(type='CAMHead', num_classes=NUM_CLASSES, in_channels=64)
SPG_HEAD = dict(type='SPGHead', b1_channels=32, b2_channels=32,
                c_channels=64, mid_channels=16, c_mid_channels=8)


def _model(**kwargs):
    init_default_scope('wsol_mm')
    cfg = dict(type='SPG', backbone=BACKBONE, head=HEAD, spg_head=SPG_HEAD)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    torch.manual_seed(0)
    model.init_weights()
    with torch.no_grad():  # a non-zero bias (min-max must not care)
        model.head.fc.bias.normal_()
    return model


def _inputs(batch=2):
    torch.manual_seed(5)
    return torch.rand(batch, 3, SIZE, SIZE)


def _samples(labels):
    return [WSOLDataSample(metainfo=dict(img_shape=(SIZE, SIZE)))
            .set_gt_label(lab) for lab in labels]


def _reference_mask(attention, high, low):
    """wsolevaluation's get_mask, one image at a time."""
    mask = torch.full_like(attention, 255.)
    for i in range(attention.shape[0]):
        fg = attention[i] > high
        if int(fg.sum()) < 30:
            fg = attention[i] > 0.7 * attention[i].max()
        mask[i][fg] = 1.
    mask[attention < low] = 0.
    return mask


def _reference_bce(logits, mask):
    keep = mask.reshape(-1) < 255
    return F.binary_cross_entropy_with_logits(logits.reshape(-1)[keep],
                                              mask.reshape(-1)[keep])


def _reference_losses(model, inputs, labels):
    """The losses of wsolevaluation's spg.get_loss, computed with our own
    hooks on the backbone and the head's parameters."""
    recorded = {}
    hooks = [model.backbone.get_submodule(name).register_forward_hook(
        lambda m, i, o, name=name: recorded.__setitem__(name, o))
        for name in ('layer3.0', 'layer3')]
    with torch.no_grad():
        feature = model.backbone(inputs)[-1]
    for hook in hooks:
        hook.remove()
    head, spg = model.head, model.spg_head
    labels = torch.tensor(labels)

    def up(x):
        return F.interpolate(x, size=(SIZE, SIZE), mode='bilinear',
                             align_corners=False)

    with torch.no_grad():
        class_maps = F.conv2d(feature, head.fc.weight[:, :, None, None],
                              head.fc.bias)  # SPG_A4
        logits = class_maps.mean(dim=(2, 3))
        attention = up(class_maps)[torch.arange(len(labels)), labels][:, None]
        low = attention.amin(dim=(2, 3), keepdim=True)
        high = attention.amax(dim=(2, 3), keepdim=True)
        attention = (attention - low) / (high - low)
        b1 = spg.b_shared(spg.b1_conv(recorded['layer3.0']))
        b2 = spg.b_shared(spg.b2_conv(recorded['layer3']))
        c = spg.c_branch(feature)
        fused = (torch.sigmoid(up(b1)) + torch.sigmoid(up(b2))) / 2
        return dict(
            loss_cls=F.cross_entropy(logits, labels),
            loss_spg_b2=_reference_bce(
                up(b2), _reference_mask(attention, 0.7, 0.01)),
            loss_spg_b1=_reference_bce(
                up(b1), _reference_mask(torch.sigmoid(up(b2)), 0.5, 0.05)),
            loss_spg_c=_reference_bce(
                up(c), _reference_mask(fused, 0.7, 0.1)))


def test_losses_match_wsolevaluation():
    model = _model()
    model.eval()  # the same BN statistics in both computations
    inputs, labels = _inputs(3), [2, 0, 1]
    with torch.no_grad():
        losses = model(inputs, _samples(labels), mode='loss')
    expected = _reference_losses(model, inputs, labels)
    assert set(losses) == set(expected) | {'accuracy'}
    for key, value in expected.items():
        torch.testing.assert_close(losses[key], value, msg=key)


def test_loss_weights_scale_each_branch():
    model = _model(spg_head=dict(SPG_HEAD, loss_weights=dict(
        b2=2., b1=0.5, c=0.)))
    model.eval()
    inputs, labels = _inputs(), [1, 2]
    with torch.no_grad():
        losses = model(inputs, _samples(labels), mode='loss')
    expected = _reference_losses(model, inputs, labels)
    torch.testing.assert_close(losses['loss_spg_b2'],
                               2 * expected['loss_spg_b2'])
    torch.testing.assert_close(losses['loss_spg_b1'],
                               0.5 * expected['loss_spg_b1'])
    assert float(losses['loss_spg_c']) == 0


def _grad_names(model, loss):
    model.zero_grad(set_to_none=True)
    loss.backward(retain_graph=True)
    return {n for n, p in model.named_parameters()
            if p.grad is not None and float(p.grad.abs().sum()) > 0}


def test_step_reaches_every_parameter_and_b1_b2_share_one_module():
    model = _model()
    model.train()
    losses = model(_inputs(), _samples([0, 2]), mode='loss')
    names = {n for n, _ in model.named_parameters()}

    def group(prefix):
        return {n for n in names if n.startswith(prefix)}

    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    assert _grad_names(model, total) == names
    b1 = _grad_names(model, losses['loss_spg_b1'])
    b2 = _grad_names(model, losses['loss_spg_b2'])
    c = _grad_names(model, losses['loss_spg_c'])
    shared = group('spg_head.b_shared')
    assert shared and shared <= b1 and shared <= b2
    assert group('spg_head.b1_conv') <= b1 and not b1 & group(
        'spg_head.b2_conv')
    assert group('spg_head.b2_conv') <= b2 and not b2 & group(
        'spg_head.b1_conv')
    # B1 reads layer3.0, so it trains the backbone up to there, not layer4
    assert group('backbone.layer3.0') <= b1
    assert not b1 & (group('backbone.layer4') | group('backbone.layer3.1'))
    assert group('backbone.layer3.1') <= b2 and not b2 & group(
        'backbone.layer4')
    assert group('spg_head.c_branch') | group('backbone.layer4') <= c
    assert not c & (shared | group('head'))  # targets carry no gradient
    # the classifier's attention is detached: the B2 loss leaves head alone
    assert not b2 & group('head')


def test_cam_and_predictions_are_cams():
    model = _model()
    cam = MODELS.build(dict(type='CAM', backbone=BACKBONE, head=HEAD))
    state = {k: v for k, v in model.state_dict().items()
             if not k.startswith('spg_head.')}
    cam.load_state_dict(state)
    model.eval()
    cam.eval()
    inputs = _inputs()
    with torch.no_grad():
        ours = model(inputs, _samples([1, 0]), mode='predict')
        theirs = cam(inputs, _samples([1, 0]), mode='predict')
        torch.testing.assert_close(model(inputs), cam(inputs))
    for a, b in zip(ours, theirs):
        for key in ('pred_score', 'gt_score_map', 'pred_labels',
                    'pred_score_maps', 'pred_bboxes'):
            torch.testing.assert_close(a.get(key), b.get(key), msg=key)
    assert model._branch_inputs.outputs == {}  # nothing kept after a pass


def test_neck_output_feeds_classifier_and_c():
    neck = dict(type='ConvReLUNeck', in_channels=64, channels=(8, 8))
    model = _model(neck=neck, head=dict(HEAD, in_channels=8),
                   spg_head=dict(SPG_HEAD, c_channels=8))
    inputs = _inputs()
    with torch.no_grad():
        feature = model.backbone(inputs)[-1]
        convs = model.neck.convs
        expected = F.relu(convs[2](F.relu(convs[0](feature))))
        torch.testing.assert_close(model.extract_feat(inputs), expected)
    losses = model(inputs, _samples([0, 1]), mode='loss')
    assert _grad_names(model, losses['loss_spg_c']) >= {
        'neck.convs.0.weight', 'spg_head.c_branch.0.0.weight'}


def test_bad_configs_name_the_key():
    with pytest.raises(KeyError, match='branch_layers'):
        _model(branch_layers=dict(b1='layer3.0'))
    with pytest.raises(KeyError, match='layer9'):
        _model(branch_layers=dict(b1='layer9', b2='layer3'))
    with pytest.raises(KeyError, match='thresholds'):
        _model(spg_head=dict(SPG_HEAD, thresholds=dict(b1=(0.5, 0.05))))
    with pytest.raises(ValueError, match=r"thresholds\['c'\]"):
        _model(spg_head=dict(SPG_HEAD, thresholds=dict(
            b2=(0.7, 0.01), b1=(0.5, 0.05), c=(0.1, 0.7))))
    with pytest.raises(ValueError, match='channels'):
        MODELS.build(dict(type='ConvReLUNeck', in_channels=4, channels=()))


def test_new_layers_init_as_wsolevaluation_xavier():
    model = _model(neck=dict(type='ConvReLUNeck', in_channels=64,
                             channels=(8, )),
                   head=dict(HEAD, in_channels=8),
                   spg_head=dict(SPG_HEAD, c_channels=8))
    for conv in (model.spg_head.b1_conv[0], model.spg_head.c_branch[0][0],
                 model.neck.convs[0]):
        weight = conv.weight.detach()
        fan_in, fan_out = weight[0].numel(), weight[:, 0].numel()
        bound = (6 / (fan_in + fan_out))**0.5  # xavier_uniform
        assert bound * 0.8 < float(weight.abs().max()) <= bound
        assert float(conv.bias.detach().abs().max()) == 0
