"""The CAM localizer: tensor / loss / predict modes on a tiny ResNet."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from wsol_mm.evaluation.functional import boxes_from_scoremap
from wsol_mm.registry import MODELS
from wsol_mm.structures import WSOLDataSample

NUM_CLASSES = 4
SIZE = 64


def _model(topk=1, cam_threshold=0.2):
    init_default_scope('wsol_mm')
    model = MODELS.build(
        dict(type='CAM',
             backbone=dict(type='mmpretrain.ResNet', depth=18,
                           base_channels=8, out_indices=(3, )),
             head=dict(type='CAMHead', num_classes=NUM_CLASSES,
                       in_channels=64),
             test_cfg=dict(topk=topk, cam_threshold=cam_threshold)))
    model.init_weights()
    torch.manual_seed(0)
    with torch.no_grad():  # distinct, well separated class weights
        model.head.fc.weight.normal_()
        model.head.fc.bias.normal_()
    return model.eval()


def _inputs(batch=2):
    torch.manual_seed(3)
    return torch.rand(batch, 3, SIZE, SIZE)


def _samples(labels, shapes):
    return [WSOLDataSample(metainfo=dict(img_shape=shape)).set_gt_label(lab)
            for lab, shape in zip(labels, shapes)]


def _min_max(m):
    return (m - m.min()) / (m.max() - m.min())


def _expected_map(model, inputs, index, cls, shape):
    """Independent CAM: loop over channels, bicubic upsampling, crop to
    ``shape``, then min-max normalisation."""
    with torch.no_grad():
        feats = model.backbone(inputs)[-1][index]
        weight = model.head.fc.weight
        cam = torch.zeros(feats.shape[-2:])
        for c in range(feats.shape[0]):
            cam += weight[cls, c] * feats[c]
    up = F.interpolate(cam[None, None], size=inputs.shape[-2:],
                       mode='bicubic', align_corners=False)[0, 0]
    return _min_max(up[:shape[0], :shape[1]]), up


def test_tensor_mode_gives_logits():
    model = _model()
    inputs = _inputs()
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
        feats = model.backbone(inputs)[-1]
        expected = feats.mean(dim=(2, 3)) @ model.head.fc.weight.T + \
            model.head.fc.bias
    assert logits.shape == (2, NUM_CLASSES)
    torch.testing.assert_close(logits, expected, rtol=1e-5, atol=1e-5)


def test_loss_mode_is_cross_entropy_of_logits():
    model = _model()
    inputs = _inputs(batch=4)
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
    top = logits.argmax(1)
    labels = [int(top[0]), int(top[1]), int(top[2]),
              (int(top[3]) + 1) % NUM_CLASSES]
    losses = model(inputs, _samples(labels, [(SIZE, SIZE)] * 4), mode='loss')
    assert set(losses) == {'loss_cls', 'accuracy'}
    torch.testing.assert_close(
        losses['loss_cls'], F.cross_entropy(logits, torch.tensor(labels)),
        rtol=1e-5, atol=1e-6)
    assert float(losses['accuracy']) == pytest.approx(75.0)


@pytest.mark.parametrize('topk', [1, 3])
def test_predict_scores_labels_maps_and_boxes(topk):
    model = _model(topk=topk, cam_threshold=0.3)
    inputs = _inputs()
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
        results = model(inputs, _samples([2, 0], [(SIZE, SIZE)] * 2),
                        mode='predict')
    assert len(results) == 2
    for i, sample in enumerate(results):
        score = sample.pred_score
        assert float(score.sum()) == pytest.approx(1.0, abs=1e-5)
        torch.testing.assert_close(score, logits[i].softmax(0), rtol=1e-5,
                                   atol=1e-6)
        order = sorted(range(NUM_CLASSES), key=lambda k: -float(score[k]))
        assert sample.pred_labels.tolist() == order[:topk]

        gt = int(sample.gt_label[0])
        expected, _ = _expected_map(model, inputs, i, gt, (SIZE, SIZE))
        assert sample.gt_score_map.shape == (SIZE, SIZE)
        torch.testing.assert_close(sample.gt_score_map, expected, rtol=1e-4,
                                   atol=1e-5)
        assert float(sample.gt_score_map.min()) == pytest.approx(0, abs=1e-6)
        assert float(sample.gt_score_map.max()) == pytest.approx(1, abs=1e-6)

        assert sample.pred_score_maps.shape == (topk, SIZE, SIZE)
        assert sample.pred_bboxes.shape == (topk, 4)
        for j, cls in enumerate(order[:topk]):
            expected, _ = _expected_map(model, inputs, i, cls, (SIZE, SIZE))
            torch.testing.assert_close(sample.pred_score_maps[j], expected,
                                       rtol=1e-4, atol=1e-5)
            box = boxes_from_scoremap(sample.pred_score_maps[j].numpy(),
                                      [0.3], multi_contour=False)[0][0]
            assert sample.pred_bboxes[j].tolist() == box.tolist()


def test_predict_crops_to_img_shape_before_normalising():
    model = _model()
    inputs = _inputs()
    shapes = [(40, 52), (SIZE, 30)]
    with torch.no_grad():
        results = model(inputs, _samples([1, 3], shapes), mode='predict')
    for i, (sample, shape) in enumerate(zip(results, shapes)):
        gt = int(sample.gt_label[0])
        crop_then_norm, full = _expected_map(model, inputs, i, gt, shape)
        norm_then_crop = _min_max(full)[:shape[0], :shape[1]]
        # The test only discriminates if the two orders differ here.
        assert not torch.allclose(crop_then_norm, norm_then_crop, atol=1e-3)
        assert sample.gt_score_map.shape == shape
        torch.testing.assert_close(sample.gt_score_map, crop_then_norm,
                                   rtol=1e-4, atol=1e-5)
        assert float(sample.gt_score_map.max()) == pytest.approx(1, abs=1e-6)
        assert sample.pred_score_maps.shape == (1, *shape)
        top = int(sample.pred_labels[0])
        expected, _ = _expected_map(model, inputs, i, top, shape)
        torch.testing.assert_close(sample.pred_score_maps[0], expected,
                                   rtol=1e-4, atol=1e-5)
        box = boxes_from_scoremap(sample.pred_score_maps[0].numpy(), [0.2],
                                  multi_contour=False)[0][0]
        assert sample.pred_bboxes[0].tolist() == box.tolist()
        assert box[2] <= shape[1] - 1 and box[3] <= shape[0] - 1


def test_predict_without_data_samples():
    model = _model(topk=2)
    inputs = _inputs()
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
        results = model(inputs, mode='predict')
    assert len(results) == 2
    for i, sample in enumerate(results):
        assert isinstance(sample, WSOLDataSample)
        assert 'gt_score_map' not in sample
        assert tuple(sample.metainfo['img_shape']) == (SIZE, SIZE)
        torch.testing.assert_close(sample.pred_score, logits[i].softmax(0),
                                   rtol=1e-5, atol=1e-6)
        assert sample.pred_labels.tolist() == \
            logits[i].topk(2).indices.tolist()
        assert sample.pred_score_maps.shape == (2, SIZE, SIZE)
        expected, _ = _expected_map(model, inputs, i,
                                    int(sample.pred_labels[1]), (SIZE, SIZE))
        torch.testing.assert_close(sample.pred_score_maps[1], expected,
                                   rtol=1e-4, atol=1e-5)
        assert sample.pred_bboxes.shape == (2, 4)


def test_invalid_mode_raises():
    model = _model()
    with pytest.raises(RuntimeError, match='Invalid mode'):
        model(_inputs(), mode='bogus')


def _model_with_score_map(**test_cfg):
    model = _model()
    model.test_cfg.update(test_cfg)
    return model


def test_topk_mean_map_is_the_mean_of_the_k_raw_maps_then_normalised():
    """SLT-Net Eq. 9: average the raw maps of the K most probable predicted
    classes, then resize and min-max (not the mean of normalised maps)."""
    model = _model_with_score_map(score_map='topk_mean', score_map_topk=3)
    inputs = _inputs()
    samples = model.predict(inputs, _samples([0, 1], [(SIZE, SIZE)] * 2))
    with torch.no_grad():
        probabilities = model(inputs).softmax(1)
    for index, sample in enumerate(samples):
        top3 = probabilities[index].argsort(descending=True)[:3].tolist()
        raw = sum(_expected_map(model, inputs, index, c, (SIZE, SIZE))[1]
                  for c in top3) / 3
        torch.testing.assert_close(sample.gt_score_map, _min_max(raw),
                                   rtol=1e-4, atol=1e-4)
        mean_of_normalised = sum(
            _expected_map(model, inputs, index, c, (SIZE, SIZE))[0]
            for c in top3) / 3
        assert not torch.allclose(sample.gt_score_map,
                                  _min_max(mean_of_normalised), atol=1e-3)


def test_top1_map_needs_no_label_and_k_beyond_the_classes_is_all():
    inputs = _inputs()
    with torch.no_grad():
        probabilities = _model()(inputs).softmax(1)
    top1 = _model_with_score_map(score_map='top1')
    unlabelled = top1.predict(inputs)
    everything = _model_with_score_map(
        score_map='topk_mean', score_map_topk=50).predict(inputs)
    for index in range(len(inputs)):
        cls = int(probabilities[index].argmax())
        expected, _ = _expected_map(top1, inputs, index, cls, (SIZE, SIZE))
        torch.testing.assert_close(unlabelled[index].gt_score_map, expected,
                                   rtol=1e-4, atol=1e-4)
        raw = sum(_expected_map(top1, inputs, index, c, (SIZE, SIZE))[1]
                  for c in range(NUM_CLASSES)) / NUM_CLASSES
        torch.testing.assert_close(everything[index].gt_score_map,
                                   _min_max(raw), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('test_cfg', [dict(score_map='top5'),
                                      dict(score_map_topk=0)])
def test_bad_score_map_settings_are_refused(test_cfg):
    with pytest.raises(ValueError, match='score_map'):
        MODELS.build(dict(
            type='CAM',
            backbone=dict(type='mmpretrain.ResNet', depth=18,
                          base_channels=8, out_indices=(3, )),
            head=dict(type='CAMHead', num_classes=2, in_channels=64),
            test_cfg=test_cfg))
