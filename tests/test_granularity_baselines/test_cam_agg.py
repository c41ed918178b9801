"""CAM-Agg (score_map='group_mean'): the CAM of the group's mean weight."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.datasets import LabelHierarchy
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

SIZE = 64
# Six classes in three groups with arbitrary ids: {0, 2, 4}, {1, 3}, {5}.
GROUPS = [7, 3, 7, 3, 7, 5]


def _cam(**test_cfg):
    init_default_scope('wsol_mm')
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='CAM',
             backbone=dict(type='mmpretrain.ResNet', depth=18,
                           base_channels=8, out_indices=(3, )),
             head=dict(type='CAMHead', num_classes=len(GROUPS),
                       in_channels=64),
             test_cfg=test_cfg))
    torch.manual_seed(0)
    with torch.no_grad():
        model.head.fc.weight.normal_()
        model.head.fc.bias.normal_()
    return model.eval()


def _inputs(batch):
    torch.manual_seed(3)
    return torch.rand(batch, 3, SIZE, SIZE)


def _samples(labels):
    return [WSOLDataSample(metainfo=dict(img_shape=(SIZE, SIZE)))
            .set_gt_label(label) for label in labels]


def _min_max(m):
    return (m - m.min()) / (m.max() - m.min())


def _mean_weight_cam(model, inputs, index, classes):
    """The CAM of the mean fc weight of ``classes``, channel by channel,
    bicubic upsampling, then min-max normalisation."""
    with torch.no_grad():
        feats = model.backbone(inputs)[-1][index]
        weight = model.head.fc.weight[list(classes)].mean(dim=0)
        cam = sum(weight[c] * feats[c] for c in range(feats.shape[0]))
    up = F.interpolate(cam[None, None], size=(SIZE, SIZE), mode='bicubic',
                       align_corners=False)[0, 0]
    return _min_max(up)


def test_group_mean_is_the_cam_of_the_mean_weight():
    model = _cam(score_map='group_mean', score_map_groups=GROUPS)
    inputs = _inputs(3)
    labels = [2, 3, 5]
    with torch.no_grad():
        out = model.predict(inputs, _samples(labels))
    for index, members in enumerate([(0, 2, 4), (1, 3), (5, )]):
        expected = _mean_weight_cam(model, inputs, index, members)
        torch.testing.assert_close(out[index].gt_score_map, expected,
                                   rtol=1e-4, atol=1e-4)
    # Not the plain CAM of the class itself where the group is larger.
    own = _mean_weight_cam(model, inputs, 0, (2, ))
    assert (out[0].gt_score_map - own).abs().max() > 0.05


def test_groups_of_one_give_the_plain_cam():
    inputs = _inputs(3)
    samples = _samples([0, 4, 5])
    with torch.no_grad():
        agg = _cam(score_map='group_mean',
                   score_map_groups=list(range(len(GROUPS)))).predict(
                       inputs, samples)
        plain = _cam(score_map='gt').predict(inputs, _samples([0, 4, 5]))
    for a, p in zip(agg, plain):
        torch.testing.assert_close(a.gt_score_map, p.gt_score_map)


def test_group_ids_of_a_hierarchy_feed_the_rule():
    hierarchy = LabelHierarchy(
        ['species', 'genus', 'family'],
        dict(species=list('abcdef'), genus=['G0', 'G1', 'G2'],
             family=['F0', 'F1']),
        [[0, 0, 0], [1, 1, 0], [2, 0, 0], [3, 1, 0], [4, 0, 0],
         [5, 2, 1]])
    groups = hierarchy.group_ids('species', 'genus')
    assert groups == [0, 1, 0, 1, 0, 2]
    assert hierarchy.group_ids('genus', 'family') == [0, 0, 1]
    assert hierarchy.group_ids('species', 'family') == [0, 0, 0, 0, 0, 1]
    with pytest.raises(ValueError, match='finer level'):
        hierarchy.group_ids('genus', 'species')
    model = _cam(score_map='group_mean', score_map_groups=groups)
    inputs = _inputs(1)
    with torch.no_grad():
        out = model.predict(inputs, _samples([1]))
    torch.testing.assert_close(
        out[0].gt_score_map, _mean_weight_cam(model, inputs, 0, (1, 3)),
        rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('groups, match', [
    (None, 'score_map_groups must be a list'),
    ([0, 0, 1], 'has 3 group ids but the head has 6 classes'),
    ([0, 0, 1, 1, 2, 2.5], 'must hold integers'),
    ('001122', 'score_map_groups must be a list'),
])
def test_bad_groups_raise(groups, match):
    with pytest.raises(ValueError, match=match):
        _cam(score_map='group_mean', score_map_groups=groups)


def test_no_labels_no_group_map():
    model = _cam(score_map='group_mean', score_map_groups=GROUPS)
    with torch.no_grad():
        out = model.predict(_inputs(1))
    assert 'gt_score_map' not in out[0]
    assert out[0].pred_score_maps.shape == (1, SIZE, SIZE)


def test_acol_averages_its_own_class_maps():
    """An inherited model with a non-linear head: the mean of ACoL's maps
    of the group's classes, each taken with the 'gt' rule."""
    init_default_scope('wsol_mm')

    def acol(**test_cfg):
        torch.manual_seed(1)
        return MODELS.build(dict(
            type='ACoL',
            backbone=dict(type='mmpretrain.ResNet', depth=18,
                          base_channels=8, out_indices=(3, )),
            head=dict(type='ACoLHead', num_classes=len(GROUPS),
                      in_channels=64, mid_channels=16),
            test_cfg=test_cfg)).eval()

    model = acol(score_map='group_mean', score_map_groups=GROUPS)
    inputs = _inputs(2)
    labels = torch.tensor([4, 1])
    with torch.no_grad():
        feats = model.extract_feat(inputs)
        scores = model.head.predict(feats)
        got = model.localization_maps(feats, scores, labels)
        gt_model = acol(score_map='gt')
        gt_model.load_state_dict(model.state_dict())
        per_class = {
            c: gt_model.localization_maps(feats, scores,
                                          torch.full((2, ), c))
            for c in range(len(GROUPS))}
    expected = torch.stack([
        torch.stack([per_class[c][0, 0] for c in (0, 2, 4)]).mean(0),
        torch.stack([per_class[c][1, 0] for c in (1, 3)]).mean(0)])
    torch.testing.assert_close(got[:, 0], expected)
