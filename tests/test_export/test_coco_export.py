"""COCO export of WSOL boxes: pycocotools loads it, original pixels."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from pycocotools.coco import COCO

from wsol_mm.evaluation.functional import boxes_from_scoremap
from wsol_mm.evaluation.metrics import (DumpCOCODetections,
                                        DumpWSOLPredictions, wsol_to_coco)
from wsol_mm.evaluation.metrics.coco_export import results_file_of

CLASSES = ('albatross', 'gull', 'wren')
# The older protocol's test pipeline of configs/_base_/datasets/
# wsoleval_pipelines.py: resize 256 x 256, centre crop 224.
CENTER_CROP = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=(256, 256)),
    dict(type='CenterCrop', size=224),
    dict(type='PackWSOLInputs'),
]
# An off-centre object (top left) of a 300 x 200 image, inside the crop.
ORIGINAL_BOX = np.array([[25., 20., 100., 90.]])


def _predicted_sample(tmp_path, index: int, label: int):
    """A test sample through the centre-crop pipeline whose score map is 1
    on the object's pixels (as seen by the network) and 0 elsewhere, with
    the model's outputs: class scores, top-2 labels and their boxes."""
    from wsol_mm.registry import TRANSFORMS
    from mmengine.registry import init_default_scope
    init_default_scope('wsol_mm')
    path = str(tmp_path / f'img{index}.png')
    cv2.imwrite(path, np.full((200, 300, 3), 128, np.uint8))
    pipeline = Compose([TRANSFORMS.build(t) for t in CENTER_CROP])
    packed = pipeline(dict(img_path=path, img_id=f'folder/img{index}.png',
                           sample_idx=index, gt_label=label,
                           gt_bboxes=ORIGINAL_BOX.copy()))
    sample = packed['data_samples']
    x0, y0, x1, y1 = sample.gt_bboxes[0].numpy().round().astype(int)
    scoremap = torch.zeros(224, 224)
    scoremap[y0:y1, x0:x1] = 1
    sample.gt_score_map = scoremap
    sample.pred_score = torch.tensor([0.1, 0.2, 0.7])
    sample.pred_labels = torch.tensor([2, 1])
    box = boxes_from_scoremap(scoremap.numpy(), [0.2])[0][0]
    sample.pred_bboxes = torch.as_tensor(
        np.stack([box, [0, 0, 10, 10]]), dtype=torch.float32)
    return sample.to_dict()


@pytest.fixture
def samples(tmp_path):
    return [_predicted_sample(tmp_path, i, label)
            for i, label in enumerate((2, 0, 1))]


def _export(samples, out_file, **kwargs):
    metric = DumpCOCODetections(str(out_file), **kwargs)
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process(None, samples)
    assert metric.compute_metrics(metric.results) == {}
    return str(out_file), results_file_of(str(out_file))


def _wsol_records(samples):
    metric = DumpWSOLPredictions('unused.json')
    metric.process(None, samples)
    return metric.results


def test_files_load_with_pycocotools(samples, tmp_path):
    dataset_file, results_file = _export(samples, tmp_path / 'preds.json')
    assert results_file == str(tmp_path / 'preds.results.json')
    coco = COCO(dataset_file)
    detections = coco.loadRes(results_file)
    assert sorted(coco.getImgIds()) == [0, 1, 2]
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == \
        list(CLASSES)
    assert len(coco.getAnnIds()) == 6  # top-2 boxes of 3 images
    assert len(detections.getAnnIds()) == 6
    for ann in coco.loadAnns(coco.getAnnIds()):
        result = detections.anns[ann['id']]
        assert result['image_id'] == ann['image_id']
        assert result['bbox'] == ann['bbox']
        assert result['score'] == ann['score']
        assert ann['area'] == pytest.approx(ann['bbox'][2] * ann['bbox'][3])
    image = coco.loadImgs(1)[0]
    assert (image['width'], image['height']) == (300, 200)
    assert image['file_name'] == samples[1]['img_path']
    assert image['img_id'] == 'folder/img1.png'


def test_boxes_are_the_wsol_format_boxes_converted_by_hand(samples,
                                                           tmp_path):
    records = _wsol_records(samples)
    dataset_file, _ = _export(samples, tmp_path / 'preds.json',
                              image_root=str(tmp_path))
    dataset = json.load(open(dataset_file))
    anns = iter(dataset['annotations'])
    for record in records:
        for label, box, score in zip(record['pred_labels'],
                                     record['pred_bboxes_original'],
                                     record['pred_label_scores']):
            ann = next(anns)
            x0, y0, x1, y1 = box
            assert ann['bbox'] == pytest.approx([x0, y0, x1 - x0, y1 - y0])
            assert ann['category_id'] == label + 1
            assert ann['image_id'] == record['sample_idx']
            assert ann['score'] == pytest.approx(score)
    names = {c['id']: c['name'] for c in dataset['categories']}
    assert names == {1: 'albatross', 2: 'gull', 3: 'wren'}
    assert [i['file_name'] for i in dataset['images']] == \
        ['img0.png', 'img1.png', 'img2.png']
    assert dataset['info']['image_root'] == str(tmp_path)


def test_off_centre_box_comes_back_in_original_pixels(samples, tmp_path):
    """Resize 256 x 256 + centre crop 224 of a 300 x 200 image: the box of
    the object's map is the original box again (within a pixel of the
    rounding of the input grid), not the box scaled about the centre or
    without the crop's offset."""
    record = _wsol_records(samples[:1])[0]
    on_input = np.array(record['pred_bboxes'][0])
    # by hand: x' = 256 / 300 * x - 16, y' = 256 / 200 * y - 16
    expected_input = ORIGINAL_BOX[0] * np.tile([256 / 300, 256 / 200], 2) - 16
    assert on_input == pytest.approx(expected_input, abs=1)
    dataset_file, _ = _export(samples[:1], tmp_path / 'preds.json')
    bbox = COCO(dataset_file).loadAnns(1)[0]['bbox']
    x0, y0, x1, y1 = ORIGINAL_BOX[0]
    assert bbox == pytest.approx([x0, y0, x1 - x0, y1 - y0], abs=1.2)
    # ignoring the resize + crop: scaled from 224 to the image
    naive = on_input * np.tile([300 / 224, 200 / 224], 2)
    assert abs(naive[0] - x0) > 5


def test_gt_labels_give_the_gt_class_and_its_maps_box(samples, tmp_path):
    dataset_file, results_file = _export(samples, tmp_path / 'gt.json',
                                         labels='gt')
    coco = COCO(dataset_file)
    coco.loadRes(results_file)
    anns = coco.loadAnns(coco.getAnnIds())
    assert [a['category_id'] for a in anns] == [3, 1, 2]  # gt_label + 1
    assert [a['score'] for a in anns] == pytest.approx([0.7, 0.1, 0.2])
    x0, y0, x1, y1 = ORIGINAL_BOX[0]
    for ann in anns:
        assert ann['bbox'] == pytest.approx([x0, y0, x1 - x0, y1 - y0],
                                            abs=1.2)


def test_bad_input(samples, tmp_path):
    with pytest.raises(ValueError, match='.json'):
        DumpCOCODetections(str(tmp_path / 'preds.pkl'))
    with pytest.raises(ValueError, match='labels'):
        DumpCOCODetections(str(tmp_path / 'p.json'), labels='top1')
    records = _wsol_records(samples)
    records[0]['pred_labels'] = [7]
    with pytest.raises(ValueError, match='label 7'):
        wsol_to_coco(records, CLASSES)
    del records[1]['pred_bboxes_original']
    with pytest.raises(KeyError, match='pred_bboxes_original'):
        wsol_to_coco(records[1:], CLASSES)


def test_unrecorded_geometry(samples):
    """A changed input without a homography: the wsol records leave out
    the original-pixel boxes, the COCO export refuses."""
    sample = dict(samples[0], ori_shape=(100, 100))
    del sample['homography_matrix']
    record = _wsol_records([sample])[0]
    assert 'pred_bboxes' in record and 'pred_bboxes_original' not in record
    metric = DumpCOCODetections('unused.json')
    with pytest.raises(ValueError, match='homography_matrix'):
        metric.process(None, [sample])
