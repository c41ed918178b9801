"""MFF-Net: CAM on the fused map plus the auxiliary loss on the deepest."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.models.wsol import CAM
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

NUM_CLASSES = 3
SIZE = 32
OUT = 8


def _model(with_aux=True):
    init_default_scope('wsol_mm')
    torch.manual_seed(0)
    aux_head = dict(type='CAMHead', num_classes=NUM_CLASSES,
                    in_channels=OUT) if with_aux else None
    model = MODELS.build(
        dict(type='MFFNet',
             backbone=dict(type='mmpretrain.ResNet', depth=18,
                           base_channels=8, out_indices=(1, 2, 3)),
             neck=dict(type='MFFNeck', in_channels=(16, 32, 64),
                       out_channels=OUT, mca=dict(latent_channels=8)),
             head=dict(type='CAMHead', num_classes=NUM_CLASSES,
                       in_channels=OUT),
             aux_head=aux_head))
    model.init_weights()
    with torch.no_grad():
        # Positive reduction weights on the non-negative backbone outputs
        # keep every branch positive: at random init, the product of three
        # ReLU outputs is otherwise zero almost everywhere.
        for reduction in model.neck.reductions:
            reduction.conv.weight.abs_()
        # well separated class weights
        model.head.fc.weight.normal_()
        if with_aux:
            model.aux_head.fc.weight.normal_()
            model.aux_head.fc.bias.normal_()
    return model


def _inputs(batch=2):
    torch.manual_seed(3)
    return torch.rand(batch, 3, SIZE, SIZE)


def _samples(labels):
    return [WSOLDataSample(metainfo=dict(img_shape=(SIZE, SIZE)))
            .set_gt_label(label) for label in labels]


def test_is_a_cam_with_the_fused_map_as_feature():
    model = _model().eval()
    assert isinstance(model, CAM)
    inputs = _inputs()
    with torch.no_grad():
        deepest, fused = model.neck(model.backbone(inputs))
        feature = model.extract_feat(inputs)
        logits = model(inputs, mode='tensor')
    # fused at stride 8 of 32, deepest branch at stride 32
    assert fused.shape == (2, OUT, 4, 4)
    assert deepest.shape == (2, OUT, 1, 1)
    torch.testing.assert_close(feature, fused, rtol=0, atol=0)
    torch.testing.assert_close(
        logits, fused.mean((2, 3)) @ model.head.fc.weight.T +
        model.head.fc.bias, rtol=1e-5, atol=1e-6)


def test_loss_has_cls_and_independent_aux_cross_entropy():
    model = _model().eval()  # eval: BN statistics fixed between the calls
    inputs = _inputs(batch=3)
    labels = [2, 0, 1]
    losses = model(inputs, _samples(labels), mode='loss')
    assert set(losses) == {'loss_cls', 'accuracy', 'loss_aux',
                           'accuracy_aux'}
    with torch.no_grad():
        deepest, fused = model.neck(model.backbone(inputs))
        target = torch.tensor(labels)
        aux_logits = (deepest.mean((2, 3)) @ model.aux_head.fc.weight.T +
                      model.aux_head.fc.bias)
        cls_logits = (fused.mean((2, 3)) @ model.head.fc.weight.T +
                      model.head.fc.bias)
    torch.testing.assert_close(losses['loss_aux'],
                               F.cross_entropy(aux_logits, target),
                               rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(losses['loss_cls'],
                               F.cross_entropy(cls_logits, target),
                               rtol=1e-5, atol=1e-6)
    assert float(losses['accuracy_aux']) == pytest.approx(
        100 * float((aux_logits.argmax(1) == target).float().mean()))
    assert float(losses['accuracy']) == pytest.approx(
        100 * float((cls_logits.argmax(1) == target).float().mean()))


def test_aux_loss_trains_the_deepest_branch():
    model = _model().train()
    losses = model(_inputs(), _samples([0, 1]), mode='loss')
    losses['loss_aux'].backward()
    assert model.aux_head.fc.weight.grad.abs().sum() > 0
    assert model.neck.reductions[-1].conv.weight.grad.abs().sum() > 0
    assert model.head.fc.weight.grad is None


def test_without_aux_head_no_aux_loss():
    model = _model(with_aux=False)
    assert model.aux_head is None
    losses = model(_inputs(), _samples([0, 1]), mode='loss')
    assert set(losses) == {'loss_cls', 'accuracy'}


def test_predict_gives_maps_of_the_input_size():
    model = _model().eval()
    inputs = _inputs()
    with torch.no_grad():
        results = model(inputs, _samples([1, 2]), mode='predict')
        fused = model.extract_feat(inputs)
    for i, (sample, label) in enumerate(zip(results, [1, 2])):
        assert sample.gt_score_map.shape == (SIZE, SIZE)
        assert sample.pred_bboxes.shape == (1, 4)
        # the map of the ground-truth class, from the fused map
        cam = torch.einsum('c,chw->hw', model.head.fc.weight[label],
                           fused[i])
        up = F.interpolate(cam[None, None], size=(SIZE, SIZE),
                           mode='bicubic', align_corners=False)[0, 0]
        expected = (up - up.min()) / (up.max() - up.min())
        torch.testing.assert_close(sample.gt_score_map, expected,
                                   rtol=1e-4, atol=1e-5)


def test_pooled_features_are_the_fused_map_mean():
    model = _model().eval()
    inputs = _inputs()
    with torch.no_grad():
        pooled = model.pooled_features(inputs)
        _, fused = model.neck(model.backbone(inputs))
    assert pooled.shape == (2, OUT)
    torch.testing.assert_close(pooled, fused.mean((2, 3)), rtol=1e-6,
                               atol=1e-7)


def test_feature_loss_on_the_fused_image_vectors():
    model = _model(with_aux=False)
    model.feature_loss = MODELS.build(dict(type='ICFSLoss', loss_weight=0.5))
    similar = torch.zeros(NUM_CLASSES, NUM_CLASSES, dtype=torch.bool)
    similar[0, 1] = True
    model.feature_loss.set_similar_classes(similar)
    inputs, labels = _inputs(batch=3), [0, 1, 1]
    losses = model(inputs, _samples(labels), mode='loss')
    vectors = model.extract_feat(inputs).mean((2, 3))
    # Eq. 5 for the one similar pair (0, 1): mean over q of |x_0 - x_1^q|^2.
    expected = 0.5 * ((vectors[0] - vectors[1:])**2).sum(1).mean()
    torch.testing.assert_close(losses['loss_feature'], expected, rtol=1e-5,
                               atol=1e-7)


# The official code's recipe: one classifier shared by both branches
# (dropout, ReLU before the pooling), the deepest branch at the fused
# resolution, self-distillation of the fused branch, losses averaged.


def _official_model(aux_mode='distill_mean', share_head=True):
    init_default_scope('wsol_mm')
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='MFFNet',
             backbone=dict(type='mmpretrain.ResNet', depth=18,
                           base_channels=8, out_indices=(1, 2, 3)),
             neck=dict(type='MFFNeck', in_channels=(16, 32, 64),
                       out_channels=OUT, resize_deepest=True,
                       align_corners=True,
                       mca=dict(latent_channels=8, norm_cfg=dict(type='BN'),
                                act_cfg=dict(type='ReLU'))),
             head=dict(type='CAMHead', num_classes=NUM_CLASSES,
                       in_channels=OUT, dropout=0.5, relu_before_pool=True),
             share_head=share_head,
             aux_mode=aux_mode))
    model.init_weights()
    with torch.no_grad():
        for reduction in model.neck.reductions:
            reduction.conv.weight.abs_()
        model.head.fc.weight.normal_()
        # positive biases keep the class maps above the ReLU's kink
        model.head.fc.bias.copy_(torch.tensor([0.5, 1.0, 1.5]))
    return model


def _branch_logits(model, inputs):
    """Both branches' logits GAP(relu(W F + b)) with the one classifier."""
    deepest, fused = model.neck(model.backbone(inputs))
    weight, bias = model.head.fc.weight, model.head.fc.bias

    def logits(feature):
        maps = torch.einsum('kc,bchw->bkhw', weight, feature)
        return (maps + bias[None, :, None, None]).relu().mean((2, 3))

    return logits(deepest), logits(fused), deepest


def _grads(model, loss):
    model.zero_grad()
    loss.backward()
    return {name: p.grad.clone() for name, p in model.named_parameters()
            if p.grad is not None}


def test_shared_head_and_deepest_branch_at_the_fused_resolution():
    model = _official_model(aux_mode='sum').eval()
    assert model.aux_head is None and model.deep_classifier is model.head
    inputs = _inputs(batch=3)
    labels = [2, 0, 1]
    losses = model(inputs, _samples(labels), mode='loss')
    assert set(losses) == {'loss_cls', 'accuracy', 'loss_aux',
                           'accuracy_aux'}
    with torch.no_grad():
        deep_logits, fused_logits, deepest = _branch_logits(model, inputs)
    assert deepest.shape == (3, OUT, 4, 4)  # stride 8 like the fused map
    target = torch.tensor(labels)
    torch.testing.assert_close(losses['loss_aux'],
                               F.cross_entropy(deep_logits, target))
    torch.testing.assert_close(losses['loss_cls'],
                               F.cross_entropy(fused_logits, target))


def test_distill_mean_loss_values_and_detached_target():
    model = _official_model().eval()  # eval: no dropout, fixed BN
    inputs = _inputs(batch=3)
    labels = [2, 0, 1]
    losses = model(inputs, _samples(labels), mode='loss')
    assert set(losses) == {'loss_distill', 'accuracy', 'loss_aux',
                           'accuracy_aux'}
    deep_logits, fused_logits, _ = _branch_logits(model, inputs)
    target = torch.tensor(labels)
    ce_deep = F.cross_entropy(deep_logits, target)
    soft = deep_logits.softmax(1)
    distill = -(soft.detach() * fused_logits.log_softmax(1)).sum(1).mean()
    torch.testing.assert_close(losses['loss_aux'], ce_deep / 2)
    torch.testing.assert_close(losses['loss_distill'], distill / 2)
    assert float(losses['accuracy']) == pytest.approx(
        100 * float((fused_logits.argmax(1) == target).float().mean()))
    assert float(losses['accuracy_aux']) == pytest.approx(
        100 * float((deep_logits.argmax(1) == target).float().mean()))
    # The model's gradients are those of the detached reference ...
    model_grads = _grads(model, losses['loss_aux'] + losses['loss_distill'])
    reference = _grads(model, (ce_deep + distill) / 2)
    # ... and not those of a target that lets the gradient through.
    deep_logits, fused_logits, _ = _branch_logits(model, inputs)
    undetached = (F.cross_entropy(deep_logits, target) - (
        deep_logits.softmax(1) * fused_logits.log_softmax(1)).sum(1).mean()
    ) / 2
    leaking = _grads(model, undetached)
    assert set(model_grads) == set(reference)
    for name in reference:
        torch.testing.assert_close(model_grads[name], reference[name],
                                   rtol=1e-5, atol=1e-7)
    difference = sum(float((leaking[n] - reference[n]).abs().sum())
                     for n in reference)
    assert difference > 1e-4


def test_distill_target_gets_no_gradient_through_the_deep_logits():
    """Only the deep branch's CE trains the deepest branch's own weights:
    its backbone-free path (the shared head applied to ``deepest``) gets no
    gradient from loss_distill."""
    model = _official_model().eval()
    inputs = _inputs()
    deepest, fused = model.neck(model.backbone(inputs))
    deepest = deepest.detach().requires_grad_()
    fused = fused.detach().requires_grad_()
    deep_logits = model.head(deepest)
    fused_logits = model.head(fused)
    model.distill_loss(fused_logits, deep_logits).backward()
    assert deepest.grad is None
    assert fused.grad.abs().sum() > 0


def test_imagenet_recipe_is_the_fused_cross_entropy_alone():
    model = _official_model(aux_mode='sum', share_head=False).eval()
    losses = model(_inputs(), _samples([0, 1]), mode='loss')
    assert set(losses) == {'loss_cls', 'accuracy'}


def test_bad_combinations_are_named():
    with pytest.raises(ValueError, match='aux_mode'):
        _official_model(aux_mode='mean')
    with pytest.raises(ValueError, match='distill_mean.*aux_head or'):
        _official_model(share_head=False)
    init_default_scope('wsol_mm')
    with pytest.raises(ValueError, match='set aux_head=None'):
        MODELS.build(dict(
            type='MFFNet',
            backbone=dict(type='mmpretrain.ResNet', depth=18,
                          base_channels=8, out_indices=(1, 2, 3)),
            neck=dict(type='MFFNeck', in_channels=(16, 32, 64),
                      out_channels=OUT),
            head=dict(type='CAMHead', num_classes=NUM_CLASSES,
                      in_channels=OUT),
            aux_head=dict(type='CAMHead', num_classes=NUM_CLASSES,
                          in_channels=OUT),
            share_head=True))
