"""PackWSOLInputs packs SLT-Net's second view and pseudo boxes."""
import numpy as np
import torch

from wsol_mm.datasets.transforms import PackWSOLInputs


def test_packs_view2_with_its_own_size_and_transform():
    img = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    view2 = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    affine = np.array([[-0.5, 0., 3.], [0., 0.5, 0.]])
    packed = PackWSOLInputs()(dict(
        img=img, img_view2=view2, view2_affine=affine, view2_scale=0.5,
        view2_flip=True, pseudo_bboxes=[1.5, 0., 4., 3.]))
    sample = packed['data_samples']
    assert packed['inputs'].shape == (3, 4, 6)
    # channel c of pixel (y, x) is view2[y, x, c]
    assert sample.img_view2.shape == (3, 2, 3)
    assert sample.img_view2[2, 1, 0] == view2[1, 0, 2]
    assert sample.img_view2.dtype == torch.uint8
    np.testing.assert_array_equal(sample.view2_affine, affine)
    assert sample.view2_scale == 0.5 and sample.view2_flip is True
    assert sample.pseudo_bboxes.dtype == torch.float64
    assert sample.pseudo_bboxes.tolist() == [[1.5, 0., 4., 3.]]


def test_without_view2_nothing_extra_is_packed():
    sample = PackWSOLInputs()(dict(
        img=np.zeros((4, 6), np.uint8)))['data_samples']
    assert 'img_view2' not in sample and 'pseudo_bboxes' not in sample
    assert 'view2_affine' not in sample.metainfo
