"""Pseudo masks land on their objects in the original image, whatever the
pipeline that made the network input (the real SPOL/ISIC configs crop)."""
import copy
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from wsol_mm.datasets.transforms import pseudo_mask_path
from wsol_mm.evaluation.functional import box_from_mask
from wsol_mm.models.wsol.base_localizer import BaseLocalizer
from wsol_mm.pipelines import CAMPseudoMaskStage, PipelineContext
from wsol_mm.structures import boxes_to_original, homography_of

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# (width, height) of each image and its object's box x0 y0 x1 y1, off the
# centre and inside the central 224/256 of the image.
OBJECTS = [((400, 300), (60, 50, 180, 150)),
           ((320, 480), (170, 260, 270, 400)),
           ((500, 375), (280, 60, 420, 200))]


def _write_cub(root):
    lines = dict(images=[], labels=[], split=[], boxes=[])
    for i, ((width, height), (x0, y0, x1, y1)) in enumerate(OBJECTS, 1):
        img = np.zeros((height, width, 3), np.uint8)
        img[y0:y1, x0:x1] = 255
        path = f'001.obj/img_{i}.png'
        os.makedirs(osp.join(root, 'images', '001.obj'), exist_ok=True)
        cv2.imwrite(osp.join(root, 'images', path), img)
        lines['images'].append(f'{i} {path}')
        lines['labels'].append(f'{i} 1')
        lines['split'].append(f'{i} 1')
        lines['boxes'].append(f'{i} {x0} {y0} {x1 - x0} {y1 - y0}')
    for name, key in (('images', 'images'), ('image_class_labels', 'labels'),
                      ('train_test_split', 'split'),
                      ('bounding_boxes', 'boxes')):
        with open(osp.join(root, f'{name}.txt'), 'w') as f:
            f.write('\n'.join(lines[key]) + '\n')
    with open(osp.join(root, 'classes.txt'), 'w') as f:
        f.write('1 001.obj\n')


class _Head:
    """Every class's map is the feature map."""

    @staticmethod
    def class_activation_maps(feature_map, class_indices):
        return feature_map.expand(-1, class_indices.shape[1], -1, -1)


class _ObjectLocalizer(BaseLocalizer):
    """A localizer whose map is exactly the (white) object of its input."""

    def __init__(self):
        super().__init__()
        self.head = _Head()

    def extract_feat(self, inputs):
        return (inputs[:, :1] > 127).float()

    def predict(self, inputs, data_samples=None):
        return data_samples

    def _forward(self, inputs):
        return self.extract_feat(inputs)

    def loss(self, inputs, data_samples):
        raise NotImplementedError


def _iou(a, b):
    return (a & b).sum() / (a | b).sum()


def _object_masks():
    masks = []
    for (width, height), (x0, y0, x1, y1) in OBJECTS:
        mask = np.zeros((height, width), bool)
        mask[y0:y1, x0:x1] = True
        masks.append(mask)
    return masks


def _spol_cfg(data_root):
    init_default_scope('wsol_mm')
    cfg = Config.fromfile(osp.join(REPO, 'configs/spol/spol_r50_cub.py'))
    cfg.train_dataloader.dataset.data_root = data_root
    cfg.test_dataloader.dataset.data_root = data_root
    return cfg


def _pipelines(cfg):
    center_crop = copy.deepcopy(cfg.test_dataloader.dataset.pipeline)
    assert [t['type'] for t in center_crop] == [
        'LoadWSOLImageFromFile', 'Resize', 'CenterCrop', 'PackWSOLInputs']
    flipped = center_crop[:-1] + [dict(type='RandomFlip', prob=1.0),
                                  center_crop[-1]]
    return dict(warp=None, center_crop=center_crop, flipped=flipped)


@pytest.mark.parametrize('name', ['warp', 'center_crop', 'flipped'])
def test_masks_and_boxes_overlap_the_off_centre_objects(tmp_path, name):
    data_root = str(tmp_path / 'cub')
    _write_cub(data_root)
    cfg = _spol_cfg(data_root)
    context = PipelineContext(str(tmp_path / 'work'), Config(),
                              logger=MMLogger.get_instance('pseudo_geometry'))
    stage = CAMPseudoMaskStage('pseudo_masks', context, localizer='cam',
                               pipeline=_pipelines(cfg)[name])
    os.makedirs(stage.work_dir, exist_ok=True)
    dataset = stage.training_images(cfg)
    if name == 'warp':  # the default: the whole image warped to 256x256
        transforms = dataset.pipeline.transforms
        assert [type(t).__name__ for t in transforms] == [
            'LoadWSOLImageFromFile', 'Resize', 'PackWSOLInputs']
        assert transforms[1].size == (256, 256)
    model = _ObjectLocalizer()
    loader_args = dict(batch_size=2, num_workers=0)
    with torch.no_grad():
        assert stage.write_masks(model, dataset, loader_args) == len(OBJECTS)
    for i, expected in enumerate(_object_masks()):
        info = dataset.get_data_info(i)
        label = cv2.imread(pseudo_mask_path(stage.mask_dir, info['img_id']),
                           cv2.IMREAD_UNCHANGED)
        assert label.shape == expected.shape
        assert _iou(label == 1, expected) >= 0.98, name
        # In the field of view, only the object's blurred rim is ignored.
        kernel = np.ones((5, 5), np.uint8)
        rim = cv2.dilate(expected.astype(np.uint8), kernel) > \
            cv2.erode(expected.astype(np.uint8), kernel)
        if name == 'warp':
            assert not (label[~rim] == 255).any()
        else:  # 16/256 of each side is outside the 224 centre crop
            height, width = expected.shape
            assert (label[:, :int(width * 16 / 256) - 1] == 255).all()
            assert (label[:int(height * 16 / 256) - 1] == 255).all()
            assert (label[:, -int(width * 16 / 256) + 1:] == 255).all()
        # The box of the map on the network input, mapped back.
        sample = dataset[i]['data_samples']
        feature = model.extract_feat(dataset[i]['inputs'][None].float())[0, 0]
        ys, xs = np.nonzero(feature.numpy())
        box = boxes_to_original([xs.min(), ys.min(), xs.max() + 1,
                                 ys.max() + 1],
                                homography_of(sample.metainfo),
                                sample.metainfo['ori_shape'])[0]
        mask = np.zeros_like(expected)
        x0, y0, x1, y1 = np.round(box).astype(int)
        mask[y0:y1, x0:x1] = True
        assert _iou(mask, expected) >= 0.98, (name, box)
        # box_from_mask on the label agrees with the object's box too
        x0, y0, x1, y1 = box_from_mask(label == 1, 0.5)
        assert abs(x0 - OBJECTS[i][1][0]) <= 2 and abs(y0 - OBJECTS[i][1][1]
                                                        ) <= 2
