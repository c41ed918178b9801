"""ToDetInstances hands our boxes to MMDetection's own transforms: every box
is foreground class 0, and mmdet.Resize / mmdet.RandomFlip move them as
computed by hand."""
import numpy as np
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from wsol_mm.registry import TRANSFORMS


@pytest.fixture(autouse=True)
def _wsol_scope():
    init_default_scope('wsol_mm')  # Resize is ours, mmdet.Resize mmdet's


def _results(width=100, height=50, boxes=((10, 5, 30, 45), (50, 0, 100, 20))):
    img = np.zeros((height, width, 3), dtype=np.uint8)
    img[:, :width // 2] = 255  # the left half is white
    return dict(img=img, img_path='a/b.jpg', img_shape=(height, width),
                ori_shape=(height, width), gt_label=3, sample_idx=7,
                gt_bboxes=np.array(boxes, dtype=np.float64).reshape(-1, 4))


def test_one_class_agnostic_foreground_class():
    out = TRANSFORMS.build(dict(type='ToDetInstances'))(_results())
    assert isinstance(out['gt_bboxes'], HorizontalBoxes)
    np.testing.assert_array_equal(out['gt_bboxes'].numpy(),
                                  [[10, 5, 30, 45], [50, 0, 100, 20]])
    np.testing.assert_array_equal(out['gt_bboxes_labels'], [0, 0])
    assert out['gt_bboxes_labels'].dtype == np.int64
    np.testing.assert_array_equal(out['gt_ignore_flags'], [False, False])
    assert out['gt_label'] == 3  # the image class is kept


def test_mmdet_resize_flip_and_packing():
    pipeline = Compose([
        dict(type='ToDetInstances'),
        dict(type='mmdet.Resize', scale=(200, 150), keep_ratio=False),
        dict(type='mmdet.RandomFlip', prob=1.0),
        dict(type='mmdet.PackDetInputs',
             meta_keys=('img_path', 'sample_idx', 'gt_label', 'img_shape',
                        'scale_factor', 'flip')),
    ])
    packed = pipeline(_results())
    sample = packed['data_samples']
    # x * 2, y * 3, then x -> 200 - x.
    expected = [[200 - 60, 15, 200 - 20, 135], [0, 0, 200 - 100, 60]]
    np.testing.assert_allclose(sample.gt_instances.bboxes.numpy(), expected)
    assert torch.equal(sample.gt_instances.labels, torch.tensor([0, 0]))
    assert len(sample.ignored_instances) == 0
    assert sample.img_shape == (150, 200) and sample.flip
    np.testing.assert_allclose(sample.scale_factor, (2.0, 3.0))
    assert sample.gt_label == 3 and sample.sample_idx == 7
    # The image is flipped too: its white half is now on the right.
    assert packed['inputs'].shape == (3, 150, 200)
    assert packed['inputs'][:, :, -1].min() == 255
    assert packed['inputs'][:, :, 0].max() == 0


def test_test_pipeline_grid_matches_the_protocol():
    """Our Resize before ToDetInstances gives the protocol's int(x*224/W);
    mmdet.Resize (float32) would give one pixel less for this box."""
    results = _results(width=166, height=166, boxes=((83, 0, 166, 166), ))
    ours = Compose([
        dict(type='Resize', size=(224, 224)),
        dict(type='ToDetInstances'),
        dict(type='mmdet.PackDetInputs'),
    ])(dict(results, gt_bboxes=results['gt_bboxes'].copy()))
    mmdet = Compose([
        dict(type='ToDetInstances'),
        dict(type='mmdet.Resize', scale=(224, 224), keep_ratio=False),
        dict(type='mmdet.PackDetInputs'),
    ])(results)
    x0_ours = ours['data_samples'].gt_instances.bboxes.tensor[0, 0]
    x0_mmdet = mmdet['data_samples'].gt_instances.bboxes.tensor[0, 0]
    assert int(x0_ours) == 83 * 224 // 166 == 112
    assert int(x0_mmdet) == 111


@pytest.mark.parametrize('boxes, error, message', [
    (None, KeyError, 'needs gt_bboxes'),
    (np.zeros((2, 3)), ValueError, r'\(k, 4\).*a/b.jpg'),
    (HorizontalBoxes(np.zeros((1, 4))), TypeError, 'already'),
])
def test_bad_input(boxes, error, message):
    results = _results()
    if boxes is None:
        del results['gt_bboxes']
    else:
        results['gt_bboxes'] = boxes
    with pytest.raises(error, match=message):
        TRANSFORMS.build(dict(type='ToDetInstances'))(results)
