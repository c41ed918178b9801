"""CUB loaded through configs/_base_/datasets/cub.py: every field matches the
annotation files written for it, and the test pipeline warps to 224x224."""
import os.path as osp

import numpy as np
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.registry import DATASETS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _read(path):
    with open(path) as f:
        return [line.split() for line in f if line.strip()]


def test_cub_through_its_base_config(tmp_path):
    root = str(tmp_path / 'cub')
    generate_synthetic_dataset(root, num_classes=3, train_per_class=2,
                               test_per_class=2, min_size=40, max_size=60,
                               seed=4)
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'cub.py'))
    cfg.test_dataloader.dataset.data_root = root
    init_default_scope('wsol_mm')
    dataset = DATASETS.build(cfg.test_dataloader.dataset)

    paths = {i: p for i, p in _read(osp.join(root, 'images.txt'))}
    labels = {i: int(c) - 1 for i, c in
              _read(osp.join(root, 'image_class_labels.txt'))}
    test_ids = [i for i, t in _read(osp.join(root, 'train_test_split.txt'))
                if t == '0']
    boxes = {i: [float(v) for v in rest] for i, *rest in
             _read(osp.join(root, 'bounding_boxes.txt'))}
    assert len(dataset) == len(test_ids) == 6
    assert len(dataset.metainfo['classes']) == 3
    for index, img_id in enumerate(test_ids):
        info = dataset.get_data_info(index)
        x, y, w, h = boxes[img_id]
        assert info['img_path'] == osp.join(root, 'images', paths[img_id])
        assert info['gt_label'] == labels[img_id]
        np.testing.assert_array_equal(info['gt_bboxes'], [[x, y, x + w,
                                                           y + h]])

    packed = dataset[0]
    sample = packed['data_samples']
    height, width = sample.ori_shape
    x0, y0, x1, y1 = dataset.get_data_info(0)['gt_bboxes'][0]
    assert tuple(packed['inputs'].shape) == (3, 224, 224)
    assert sample.gt_bboxes.tolist() == [[x0 * 224 / width, y0 * 224 / height,
                                          x1 * 224 / width, y1 * 224 / height]]
