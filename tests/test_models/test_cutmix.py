"""CutMix in WSOLDataPreprocessor and the soft-target loss of CAMHead."""
from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.model import ImgDataPreprocessor
from mmengine.registry import init_default_scope

from wsol_mm.models.data_preprocessors import WSOLDataPreprocessor
from wsol_mm.models.utils.cutmix import CutMix
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

NUM_CLASSES = 5
NORM = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True)


def _batch(labels=(0, 3, 3, 1), height=10, width=12, seed=0):
    generator = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 256, (3, height, width), generator=generator,
                            dtype=torch.uint8) for _ in labels]
    samples = [WSOLDataSample().set_gt_label(label) for label in labels]
    return dict(inputs=inputs, data_samples=samples)


def _onehot(label):
    return torch.nn.functional.one_hot(torch.tensor(label),
                                       NUM_CLASSES).float()


def test_registered():
    init_default_scope('wsol_mm')
    assert MODELS.get('CutMix') is CutMix
    assert MODELS.get('WSOLDataPreprocessor') is WSOLDataPreprocessor
    pre = MODELS.build(dict(
        type='WSOLDataPreprocessor',
        batch_augments=dict(type='CutMix', num_classes=7, alpha=0.5)))
    assert isinstance(pre, ImgDataPreprocessor)
    assert isinstance(pre.batch_augments, CutMix)
    assert repr(pre.batch_augments) == (
        "CutMix(num_classes=7, alpha=0.5, prob=1.0, "
        "box_rule='wsolevaluation')")


@pytest.mark.parametrize('kwargs,match', [
    (dict(num_classes=0), 'num_classes'),
    (dict(num_classes=3, alpha=0), 'alpha'),
    (dict(num_classes=3, prob=1.5), 'prob'),
    (dict(num_classes=3, box_rule='paper'), 'box_rule'),
])
def test_bad_arguments_name_the_key(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CutMix(**kwargs)


def test_label_out_of_range_raises():
    with pytest.raises(ValueError, match='num_classes=3'):
        CutMix(num_classes=3)(torch.zeros(2, 1, 4, 4), torch.tensor([0, 3]))


# lambda 0.75 -> sqrt(1 - lambda) = 0.5: cut 5 rows x 6 columns on 10 x 12;
# the row centre is drawn first, then the column centre.
@pytest.mark.parametrize('box_rule,centre,box,lam', [
    # rows [5 - 2, 5 + 2) = 4 (2 * (5 // 2)), columns [6 - 3, 6 + 3) = 6
    ('wsolevaluation', (5, 6), (3, 3, 9, 7), 1 - 24 / 120),
    # rows [5 - 2, 5 - 2 + 5) = 5, columns [3, 9) = 6
    ('full_cut', (5, 6), (3, 3, 9, 8), 0.75),
    # centred on the corner pixel (row 9, column 0): rows [7, 10), cols [0, 3)
    ('wsolevaluation', (9, 0), (0, 7, 3, 10), 1 - 9 / 120),
    # rows [7, 12) -> [7, 10), columns [-3, 3) -> [0, 3)
    ('full_cut', (9, 0), (0, 7, 3, 10), 1 - 9 / 120),
    # row 0: [-2, 2) -> [0, 2) vs [-2, 3) -> [0, 3); column 11: [8, 12)
    ('wsolevaluation', (0, 11), (8, 0, 12, 2), 1 - 8 / 120),
    ('full_cut', (0, 11), (8, 0, 12, 3), 1 - 12 / 120),
])
def test_box_by_hand(box_rule, centre, box, lam):
    cutmix = CutMix(num_classes=3, box_rule=box_rule)
    with mock.patch.object(np.random, 'randint',
                           side_effect=list(centre)) as randint:
        got_box, got_lam = cutmix.sample_box(10, 12, 0.75)
    assert [c.args for c in randint.call_args_list] == [(10, ), (12, )]
    assert got_box == box
    assert got_lam == pytest.approx(lam)


def test_draw_order_as_wsolevaluation():
    """rand (mix?), beta, randperm (torch), randint(H), randint(W)."""
    calls = []

    def recorder(name, result):
        def record(*args):
            calls.append((name, ) + args)
            return result
        return record

    with mock.patch.object(np.random, 'rand', recorder('rand', 0.3)), \
            mock.patch.object(np.random, 'beta', recorder('beta', 0.75)), \
            mock.patch.object(torch, 'randperm',
                              recorder('randperm', torch.tensor([1, 0]))), \
            mock.patch.object(np.random, 'randint', recorder('randint', 2)):
        out = CutMix(num_classes=3, alpha=0.5)(torch.zeros(2, 1, 6, 8),
                                              torch.tensor([0, 2]))
    assert calls == [('rand', ), ('beta', 0.5, 0.5), ('randperm', 2),
                     ('randint', 6), ('randint', 8)]
    # cut 3 rows x 4 columns about (2, 2): rows [1, 3), columns [0, 4)
    assert out['box'] == (0, 1, 4, 3) and out['lam'] == 1 - 8 / 48
    assert out['perm'].tolist() == [1, 0]


def _wsolevaluation_mix(x, beta):
    """The reference's mixing restated: its first axis (which it calls the
    width) is dim 2, both box ends are ``centre -/+ cut // 2``."""
    lam = np.random.beta(beta, beta)
    partners = torch.randperm(x.shape[0])
    sides = x.shape[2], x.shape[3]
    cuts = [int(side * np.sqrt(1. - lam)) for side in sides]
    centres = [np.random.randint(side) for side in sides]
    (r0, r1), (c0, c1) = [
        np.clip([centre - cut // 2, centre + cut // 2], 0, side)
        for centre, cut, side in zip(centres, cuts, sides)]
    mixed = x.clone()
    mixed[:, :, r0:r1, c0:c1] = x[partners, :, r0:r1, c0:c1]
    return mixed, partners, 1 - (r1 - r0) * (c1 - c0) / (sides[0] * sides[1])


def test_same_draws_as_wsolevaluation_non_square():
    inputs = torch.rand(5, 2, 10, 13)
    labels = torch.tensor([0, 1, 2, 3, 4])
    cutmix = CutMix(num_classes=NUM_CLASSES)
    for seed in range(20):
        np.random.seed(seed), torch.manual_seed(seed)
        assert np.random.rand() < 1.0  # its cutmix_prob check
        expected, perm, lam = _wsolevaluation_mix(inputs, 1.0)
        np.random.seed(seed), torch.manual_seed(seed)
        out = cutmix(inputs, labels)
        assert torch.equal(out['inputs'], expected)
        assert torch.equal(out['perm'], perm)
        assert out['lam'] == pytest.approx(lam)


def test_mixed_pixels_and_targets():
    batch = _batch()
    inputs = torch.stack(batch['inputs']).float()
    labels = torch.tensor([0, 3, 3, 1])
    seen_lams = set()
    for box_rule in CutMix.BOX_RULES:
        cutmix = CutMix(num_classes=NUM_CLASSES, alpha=1.0,
                        box_rule=box_rule)
        for seed in range(10):
            np.random.seed(seed), torch.manual_seed(seed)
            out = cutmix(inputs, labels)
            assert out['mixed']
            x0, y0, x1, y1 = out['box']
            perm, lam = out['perm'], out['lam']
            assert sorted(perm.tolist()) == [0, 1, 2, 3]
            inside = torch.zeros(10, 12, dtype=torch.bool)
            inside[y0:y1, x0:x1] = True
            for i in range(4):
                j = int(perm[i])
                assert torch.equal(out['inputs'][i][:, inside],
                                   inputs[j][:, inside])
                assert torch.equal(out['inputs'][i][:, ~inside],
                                   inputs[i][:, ~inside])
                expected = lam * _onehot(int(labels[i])) + (
                    1 - lam) * _onehot(int(labels[j]))
                torch.testing.assert_close(out['scores'][i], expected)
            assert lam == pytest.approx(1 - inside.sum().item() / 120)
            torch.testing.assert_close(out['scores'].sum(1), torch.ones(4))
            seen_lams.add(round(lam, 6))
    assert len(seen_lams) > 5  # lambda is random
    assert torch.equal(inputs, torch.stack(batch['inputs']).float())


def test_prob_zero_never_mixes():
    inputs = torch.rand(3, 3, 4, 4)
    out = CutMix(num_classes=4, prob=0.0)(inputs, torch.tensor([1, 2, 3]))
    assert not out['mixed'] and out['inputs'] is inputs
    assert 'scores' not in out  # labels unchanged: no soft targets


def test_lambda_follows_beta():
    np.random.seed(0)
    inputs, labels = torch.zeros(1, 1, 64, 64), torch.tensor([0])
    # Centred boxes are never clipped: lambda is Beta(1, 1), i.e. uniform,
    # up to the rounding of the box sides (which only raises it).
    cutmix = CutMix(num_classes=2, alpha=1.0)
    with mock.patch.object(np.random, 'randint', return_value=32):
        lams = np.array([cutmix(inputs, labels)['lam'] for _ in range(2000)])
    assert 0.5 <= lams.mean() <= 0.54
    for q in (0.25, 0.5, 0.75):
        assert abs((lams < q).mean() - q) < 0.04
    # Beta(0.2, 0.2) piles up near 0 and 1
    cutmix = CutMix(num_classes=2, alpha=0.2)
    with mock.patch.object(np.random, 'randint', return_value=32):
        lams = np.array([cutmix(inputs, labels)['lam'] for _ in range(1000)])
    assert ((lams < 0.1) | (lams > 0.9)).mean() > 0.6


def test_preprocessor_mixes_only_in_training():
    init_default_scope('wsol_mm')
    pre = MODELS.build(dict(
        type='WSOLDataPreprocessor', **NORM,
        batch_augments=dict(type='CutMix', num_classes=NUM_CLASSES)))
    plain = ImgDataPreprocessor(**NORM)
    reference = plain(_batch(), training=True)['inputs']

    out = pre(_batch(), training=False)
    torch.testing.assert_close(out['inputs'], reference)
    assert all('gt_score' not in s for s in out['data_samples'])

    np.random.seed(4), torch.manual_seed(4)
    out = pre(_batch(), training=True)
    mixed, samples = out['inputs'], out['data_samples']
    assert mixed.dtype == torch.float32 and mixed.shape == reference.shape
    # which rows / columns changed, from the images alone
    changed = (mixed != reference).any(dim=1)  # (B, H, W)
    union = changed.any(dim=0)
    ys, xs = torch.nonzero(union, as_tuple=True)
    box_area = (int(xs.max()) - int(xs.min()) + 1) * (
        int(ys.max()) - int(ys.min()) + 1)
    assert int(union.sum()) == box_area  # one rectangle
    lam = 1 - box_area / (10 * 12)
    labels = [0, 3, 3, 1]
    for i, sample in enumerate(samples):
        score = sample.gt_score
        assert score.shape == (NUM_CLASSES, )
        assert float(score.sum()) == pytest.approx(1.0)
        partner = [j for j in range(4)
                   if torch.equal(mixed[i][:, changed[i]],
                                  reference[j][:, changed[i]])]
        if changed[i].any():
            expected = lam * _onehot(labels[i]) + (1 - lam) * _onehot(
                labels[partner[0]])
        else:  # paired with itself
            expected = _onehot(labels[i])
        torch.testing.assert_close(score, expected)
    # same draws as the CutMix module on the normalised batch
    np.random.seed(4), torch.manual_seed(4)
    direct = CutMix(num_classes=NUM_CLASSES)(reference.clone(),
                                            torch.tensor(labels))
    torch.testing.assert_close(mixed, direct['inputs'])


def test_preprocessor_without_augments_is_img_data_preprocessor():
    pre = WSOLDataPreprocessor(**NORM)
    torch.testing.assert_close(
        pre(_batch(), training=True)['inputs'],
        ImgDataPreprocessor(**NORM)(_batch(), training=True)['inputs'])


def test_preprocessor_converts_view2_like_inputs():
    batch = _batch(labels=(0, 1))
    for sample, img in zip(batch['data_samples'], batch['inputs']):
        sample.img_view2 = img.flip(-1)
    out = WSOLDataPreprocessor(**NORM)(batch, training=True)
    for sample, img in zip(out['data_samples'], out['inputs']):
        torch.testing.assert_close(sample.img_view2, img.flip(-1))


# ------------------------------------------------------------ soft-target loss


def _head(loss=dict(type='mmpretrain.CrossEntropyLoss')):
    init_default_scope('wsol_mm')
    head = MODELS.build(dict(type='CAMHead', num_classes=NUM_CLASSES,
                             in_channels=6, loss=loss))
    torch.manual_seed(0)
    with torch.no_grad():
        head.fc.weight.normal_()
        head.fc.bias.normal_()
    return head


@pytest.mark.parametrize('loss,weight', [
    (dict(type='mmpretrain.CrossEntropyLoss'), 1.0),
    (dict(type='mmpretrain.CrossEntropyLoss', use_soft=True), 1.0),
    (dict(type='mmpretrain.CrossEntropyLoss', loss_weight=2.0), 2.0),
])
def test_soft_target_loss_by_hand(loss, weight):
    head = _head(loss)
    torch.manual_seed(1)
    feats = torch.randn(3, 6, 4, 4)
    targets = torch.tensor([[0.7, 0.3, 0, 0, 0], [0, 0, 1.0, 0, 0],
                            [0, 0.25, 0, 0, 0.75]])
    samples = []
    for label, target in zip([0, 2, 4], targets):
        sample = WSOLDataSample().set_gt_label(label)
        sample.gt_score = target
        samples.append(sample)
    losses = head.loss(feats, samples)
    logits = head(feats).double()
    expected = 0.
    for b in range(3):
        log_z = torch.log(torch.exp(logits[b]).sum())
        for k in range(NUM_CLASSES):
            expected -= targets[b, k].double() * (logits[b, k] - log_z)
    expected = weight * expected / 3
    got = float(losses['loss_cls'].detach())
    assert got == pytest.approx(float(expected.detach()), rel=1e-5)
    argmax = logits.argmax(1)
    expected_acc = (argmax == torch.tensor([0, 2, 4])).double().mean() * 100
    assert float(losses['accuracy']) == pytest.approx(float(expected_acc))
    losses['loss_cls'].backward()
    assert head.fc.weight.grad is not None


def test_hard_labels_unchanged_without_gt_score():
    head = _head()
    torch.manual_seed(2)
    feats = torch.randn(2, 6, 3, 3)
    samples = [WSOLDataSample().set_gt_label(k) for k in (1, 4)]
    losses = head.loss(feats, samples)
    expected = torch.nn.functional.cross_entropy(head(feats),
                                                 torch.tensor([1, 4]))
    torch.testing.assert_close(losses['loss_cls'], expected)


def test_soft_target_of_wrong_length_raises():
    head = _head()
    sample = WSOLDataSample().set_gt_label(0)
    sample.gt_score = torch.ones(NUM_CLASSES + 1) / (NUM_CLASSES + 1)
    with pytest.raises(ValueError, match='num_classes'):
        head.loss(torch.randn(1, 6, 2, 2), [sample])


def test_cam_train_step_with_cutmix():
    """The CAM model trains through the preprocessor's soft targets."""
    init_default_scope('wsol_mm')
    model = MODELS.build(dict(
        type='CAM',
        data_preprocessor=dict(
            type='WSOLDataPreprocessor', **NORM,
            batch_augments=dict(type='CutMix', num_classes=NUM_CLASSES)),
        backbone=dict(type='mmpretrain.ResNet', depth=18, base_channels=8,
                      out_indices=(3, )),
        head=dict(type='CAMHead', num_classes=NUM_CLASSES, in_channels=64)))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        np.random.seed(0)
        data = model.data_preprocessor(_batch(height=32, width=32),
                                       training=True)
        assert all('gt_score' in s for s in data['data_samples'])
        losses = model(**data, mode='loss')
        logits = model(data['inputs'], mode='tensor')
        targets = torch.stack([s.gt_score for s in data['data_samples']])
        expected = -(targets * logits.log_softmax(1)).sum(1).mean()
        torch.testing.assert_close(losses['loss_cls'], expected)
    finally:
        torch.set_num_threads(threads)
